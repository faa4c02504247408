"""Reads-table key design (see docs/decisions.md, "Reads table keys").

Base table   pk = T#{yyyymmddHHMM}#{shard:02d}   sk = {capture_ms:013d}#{read_id}
byPlate      plate_pk = P#{plate}                 ts_sk = {capture_ms:013d}#{read_id}
byCamera     camera_pk = C#{camera_id}#{yyyymmddHH} ts_sk = {capture_ms:013d}#{read_id}

One-minute slices × 32 write shards keep every base partition under ~10k items and
~160 writes/s at the national peak of 5,000 reads/s, and make "every read in a time
slice" a set of small, independent partition queries (search fan-out).
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime

WRITE_SHARDS = 32
SLICE_MS = 60_000


def _utc(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def time_slice(capture_ms: int) -> str:
    return _utc(capture_ms).strftime("%Y%m%d%H%M")


def shard_of(read_id: str) -> int:
    return zlib.crc32(read_id.encode()) % WRITE_SHARDS


def partition_key(capture_ms: int, read_id: str) -> str:
    return f"T#{time_slice(capture_ms)}#{shard_of(read_id):02d}"


def sort_key(capture_ms: int, read_id: str) -> str:
    return f"{capture_ms:013d}#{read_id}"


def plate_key(plate: str) -> str:
    return f"P#{plate}"


def camera_key(camera_id: str, capture_ms: int) -> str:
    # hourly: a camera covers ≤ 3 lanes × ~2,000 vehicles/h, so ≤ ~6k items per key
    return f"C#{camera_id}#{_utc(capture_ms).strftime('%Y%m%d%H')}"


def camera_hours(camera_id: str, start_ms: int, end_ms: int) -> Iterator[str]:
    hour = 3_600_000
    t = start_ms - start_ms % hour
    while t <= end_ms:
        yield camera_key(camera_id, t)
        t += hour


def slices(start_ms: int, end_ms: int) -> Iterator[str]:
    """Every one-minute slice id overlapping [start_ms, end_ms]."""
    t = start_ms - start_ms % SLICE_MS
    while t <= end_ms:
        yield time_slice(t)
        t += SLICE_MS


def partitions(start_ms: int, end_ms: int) -> Iterator[str]:
    """Every base-table partition key holding reads captured in [start_ms, end_ms]."""
    for s in slices(start_ms, end_ms):
        for shard in range(WRITE_SHARDS):
            yield f"T#{s}#{shard:02d}"


def read_id_for(snapshot_identity: str, index: int) -> str:
    """Deterministic: the same snapshot delivered twice yields the same read ids (one read)."""
    return hashlib.sha1(f"{snapshot_identity}#{index}".encode()).hexdigest()[:20]
