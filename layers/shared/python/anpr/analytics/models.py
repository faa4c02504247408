"""The analytics layout of the reads: Hive-style day/hour partitions of Parquet files.

``reads/day=YYYY-MM-DD/hour=HH/<file>.parquet`` (UTC, from ``capture_ms``). The partition values
are in the path only (as Firehose dynamic partitioning writes them and Glue partition
projection reads them), never in the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from anpr.reads.models import PlateRead

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
#: prefix of the reads in the analytics bucket / folder
READS_PREFIX = "reads/"

#: column → (pyarrow type name, Glue/Athena type). Order is the file's column order.
COLUMNS: dict[str, tuple[str, str]] = {
    "read_id": ("string", "string"),
    "plate": ("string", "string"),  # normalised A-Z0-9 (what every search matches on)
    "raw_text": ("string", "string"),  # as the reader produced it
    "country": ("string", "string"),
    "confidence": ("float64", "double"),
    "alternatives": ("list<string>", "array<string>"),
    "camera_id": ("string", "string"),
    "zone": ("string", "string"),
    "capture_ms": ("int64", "bigint"),
    "lat": ("float64", "double"),
    "lon": ("float64", "double"),
    "heading": ("float64", "double"),
    "lane": ("int32", "int"),
    "direction": ("string", "string"),
    "snapshot_bucket": ("string", "string"),
    "snapshot_key": ("string", "string"),
    "crop_key": ("string", "string"),
    "source": ("string", "string"),
    "engine": ("string", "string"),
    "ingested_ms": ("int64", "bigint"),
}
#: partition keys (strings in the path; Glue partition projection: date + 2-digit integer)
PARTITION_KEYS = ("day", "hour")

_PARTITION = re.compile(r"^reads/day=(\d{4}-\d{2}-\d{2})/hour=(\d{2})/")


def row(read: PlateRead) -> dict:
    """One PlateRead → one Parquet row (the columns above)."""
    data = read.model_dump(include=set(COLUMNS))
    data["alternatives"] = list(read.alternatives)
    return {c: data.get(c) for c in COLUMNS}


def day_of(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d")


def hour_of(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%H")


def day_start_ms(day: str) -> int:
    return int(datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=UTC).timestamp() * 1000)


@dataclass(frozen=True, order=True)
class Partition:
    day: str
    hour: str

    @classmethod
    def of(cls, capture_ms: int) -> Partition:
        return cls(day_of(capture_ms), hour_of(capture_ms))

    @classmethod
    def from_key(cls, key: str) -> Partition | None:
        m = _PARTITION.match(key)
        return cls(m.group(1), m.group(2)) if m else None

    @property
    def prefix(self) -> str:
        return f"{READS_PREFIX}day={self.day}/hour={self.hour}/"

    @property
    def end_ms(self) -> int:
        """First millisecond after this hour."""
        return day_start_ms(self.day) + (int(self.hour) + 1) * HOUR_MS


def days_between(start_ms: int, end_ms: int) -> Iterator[str]:
    """Every UTC day overlapping [start_ms, end_ms]."""
    d = datetime.strptime(day_of(start_ms), "%Y-%m-%d")
    last = datetime.strptime(day_of(end_ms), "%Y-%m-%d")
    while d <= last:
        yield d.strftime("%Y-%m-%d")
        d += timedelta(days=1)
