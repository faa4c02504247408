"""PlateRead batches → Parquet under the day/hour layout; compaction; the retention sweep.

On AWS, Firehose writes the hourly files (Parquet conversion + dynamic partitioning, see
``infra/constructs/analytics.py``); this writer is the same layout for the local runtime,
tests and the bench, and the compaction and sweep run over either store.

- **write**: one file per partition per batch, named after the batch's read ids, so a batch
  delivered twice (stream retries) overwrites its own file. Duplicates across batches are
  harmless to results (``merge`` keeps one row per read and tag) and compaction removes them.
- **compact**: a closed hour (its end + ``compact_after_ms`` in the past) with several small
  files becomes one file, deduplicated by read id and sorted by camera then time (row-group
  statistics then skip most of a file for place and convoy windows). The new file is written
  before the old ones are deleted: a reader in between sees duplicates, never a gap.
- **sweep**: hour partitions whose last millisecond is older than ``retention_days`` are
  deleted (the reads table's TTL does the same per read); at most one hour past retention
  when the sweep runs hourly.
"""

from __future__ import annotations

import hashlib
import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from anpr.analytics.models import COLUMNS, DAY_MS, READS_PREFIX, Partition, row
from anpr.analytics.stores import FileStore
from anpr.reads.models import PlateRead


def arrow_schema():
    import pyarrow as pa  # dev / local runtime only

    types = {
        "string": pa.string(),
        "float64": pa.float64(),
        "int64": pa.int64(),
        "int32": pa.int32(),
        "list<string>": pa.list_(pa.string()),
    }
    return pa.schema([(name, types[t]) for name, (t, _) in COLUMNS.items()])


def to_parquet(rows: list[dict], compression: str = "zstd", row_group_rows: int = 131_072) -> bytes:
    import pyarrow as pa

    table = pa.Table.from_pylist(rows, schema=arrow_schema())
    return table_to_parquet(table, compression, row_group_rows)


def table_to_parquet(table, compression: str = "zstd", row_group_rows: int = 131_072) -> bytes:
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(table, buf, compression=compression, row_group_size=row_group_rows)
    return buf.getvalue()


@dataclass(frozen=True)
class Compacted:
    partition: Partition
    inputs: int
    rows: int
    bytes_before: int
    bytes_after: int
    key: str


class AnalyticsWriter:
    def __init__(
        self,
        store: FileStore,
        *,
        clock: Callable[[], int],
        retention_days: int = 365,
        compression: str = "zstd",
        compact_after_ms: int = 15 * 60_000,
        target_file_bytes: int = 128 * 1024 * 1024,
    ):
        self.store, self.clock = store, clock
        self.retention_days, self.compression = retention_days, compression
        self.compact_after_ms, self.target_file_bytes = compact_after_ms, target_file_bytes

    # -- write ----------------------------------------------------------------------------
    def write(self, reads: Iterable[PlateRead]) -> list[str]:
        """One Parquet file per day/hour partition the batch touches; returns the keys."""
        return self.write_rows(row(r) for r in reads)

    def write_rows(self, rows: Iterable[dict]) -> list[str]:
        """The same, from rows already in the layout's columns (the stream feed)."""
        groups: dict[Partition, list[dict]] = defaultdict(list)
        for r in rows:
            groups[Partition.of(r["capture_ms"])].append(r)
        keys = []
        for part, rs in sorted(groups.items()):
            rs.sort(key=lambda r: (r["camera_id"], r["capture_ms"], r["read_id"]))
            digest = hashlib.sha1("\n".join(sorted(r["read_id"] for r in rs)).encode()).hexdigest()[:20]
            key = f"{part.prefix}batch-{digest}.parquet"
            self.store.put(key, to_parquet(rs, self.compression))
            keys.append(key)
        return keys

    # -- compact --------------------------------------------------------------------------
    def partitions(self) -> dict[Partition, list[tuple[str, int]]]:
        out: dict[Partition, list[tuple[str, int]]] = defaultdict(list)
        for key, size in self.store.list(READS_PREFIX):
            part = Partition.from_key(key)
            if part is not None and key.endswith(".parquet"):
                out[part].append((key, size))
        return dict(sorted(out.items()))

    def compact(self) -> list[Compacted]:
        """Merge the small files of every closed hour into one (dedup + sorted)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        now = self.clock()
        done = []
        for part, files in self.partitions().items():
            if part.end_ms + self.compact_after_ms > now:
                continue  # still being written
            small = [(k, s) for k, s in files if s < self.target_file_bytes]
            if len(small) < 2:
                continue
            table = pa.concat_tables(
                [pq.read_table(io.BytesIO(self.store.get(k)), schema=arrow_schema()) for k, _ in small]
            )
            table = _dedup(table).sort_by([("camera_id", "ascending"), ("capture_ms", "ascending")])
            body = table_to_parquet(table, self.compression)
            digest = hashlib.sha1("\n".join(k for k, _ in small).encode()).hexdigest()[:20]
            key = f"{part.prefix}compacted-{digest}.parquet"
            self.store.put(key, body)
            self.store.delete([k for k, _ in small if k != key])
            done.append(Compacted(part, len(small), table.num_rows, sum(s for _, s in small), len(body), key))
        return done

    # -- retention ------------------------------------------------------------------------
    def sweep(self) -> list[Partition]:
        """Delete every hour partition entirely older than the retention window."""
        cutoff = self.clock() - self.retention_days * DAY_MS
        gone = []
        for part, files in self.partitions().items():
            if part.end_ms <= cutoff:
                self.store.delete([k for k, _ in files])
                gone.append(part)
        return gone


def _dedup(table):
    """Keep the first row of every read id."""
    import pyarrow as pa

    seen: set[str] = set()
    keep = []
    for i, rid in enumerate(table.column("read_id").to_pylist()):
        if rid not in seen:
            seen.add(rid)
            keep.append(i)
    return table if len(keep) == table.num_rows else table.take(pa.array(keep))
