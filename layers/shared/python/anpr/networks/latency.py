"""Upload→read latency per camera, where the ops API can read it (no per-read table scans).

Ingest knows each snapshot's upload time (the S3 event) and when its reads were stored; the
difference is counted into a small histogram on the camera's ``CameraActivity`` item, written
with the activity (``anpr.networks.activity``). Fixed buckets make counts from any number of
ingest containers add up exactly (DynamoDB ``ADD``); a percentile is then the upper bound of the
bucket it falls in ("p95 ≤ 2 s"), which is as precise as an ops screen needs.

Two hour slots per camera (this hour and the one before, by read time) are kept: the health
route sums the slots of the current and the previous hour, i.e. the last 60 to 120 minutes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

HOUR_MS = 3_600_000
#: bucket i holds latencies ≤ BOUNDS_MS[i] (and above the previous bound); the last, above 5 min
BOUNDS_MS = (250, 500, 1_000, 2_000, 5_000, 10_000, 30_000, 60_000, 300_000)
BUCKETS = len(BOUNDS_MS) + 1
#: slots kept per camera (hour % SLOTS)
SLOTS = 2
#: the goal: the ingest half of "upload → on the officer's screen, p95 ≤ 2 s" (docs/alerts.md)
GOAL_P95_MS = 2_000
#: above this p95 a camera's reads come late enough for ops to look (the next bucket's bound)
LATE_P95_MS = 10_000


def bucket_of(latency_ms: float) -> int:
    for i, bound in enumerate(BOUNDS_MS):
        if latency_ms <= bound:
            return i
    return len(BOUNDS_MS)


def hour_of(ms: int) -> int:
    return ms // HOUR_MS


def add(a: Sequence[int], b: Sequence[int]) -> tuple[int, ...]:
    a, b = tuple(a) or (0,) * BUCKETS, tuple(b) or (0,) * BUCKETS
    return tuple(x + y for x, y in zip(a, b, strict=True))


def total(counts: Iterable[Sequence[int]]) -> tuple[int, ...]:
    out: tuple[int, ...] = (0,) * BUCKETS
    for c in counts:
        if c:
            out = add(out, c)
    return out


def quantile_ms(counts: Sequence[int], q: float) -> int | None:
    """The upper bound of the bucket holding the q-quantile; None above the last bound (or no data)."""
    n = sum(counts)
    if not n:
        return None
    need, seen = q * n, 0
    for i, c in enumerate(counts):
        seen += c
        if seen >= need and c:
            return BOUNDS_MS[i] if i < len(BOUNDS_MS) else None
    return None  # pragma: no cover - seen reaches n


def summary(counts: Sequence[int], goal_ms: int = GOAL_P95_MS, late_ms: int = LATE_P95_MS) -> dict | None:
    """``{n, p50_ms, p95_ms, state}`` of one histogram (None without samples). ``p*_ms`` are
    upper bounds; None means above the last bound (5 min). ``state``: ok (p95 within the goal),
    slow (within ``late_ms``) or late."""
    n = sum(counts)
    if not n:
        return None
    p50, p95 = quantile_ms(counts, 0.5), quantile_ms(counts, 0.95)
    if p95 is not None and p95 <= goal_ms:
        state = "ok"
    elif p95 is not None and p95 <= late_ms:
        state = "slow"
    else:
        state = "late"
    return {"n": n, "p50_ms": p50, "p95_ms": p95, "state": state}


def recent(item: dict, now_ms: int) -> tuple[int, ...]:
    """The counts of a stored activity item's slots for this hour and the one before."""
    current = hour_of(now_ms)
    out: tuple[int, ...] = (0,) * BUCKETS
    for slot in range(SLOTS):
        stamp = item.get(f"lh{slot}")
        if stamp is None or not current - SLOTS < int(stamp) <= current:
            continue
        out = add(out, [int(item.get(f"lc{slot}_{i}", 0)) for i in range(BUCKETS)])
    return out
