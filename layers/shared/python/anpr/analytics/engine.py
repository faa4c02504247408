"""Which engine runs a search: the reads table (DynamoDB) or the analytics copy (Parquet).

Pure: the type, the range and a few counts in; the choice, the reason and the estimated
cost out. The reads table answers plate look-ups and short ranges in seconds (its GSIs read
only what is asked); a national pattern or a convoy over weeks costs 46,080 partition queries
per day there, while the analytics copy scans a few columns of the days asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from anpr.kernel.errors import BadRequest
from anpr.reads import keys
from anpr.search.models import DAY_MS, ABQuery, ConvoyQuery, PartialQuery, PlaceQuery, oldest_ms

Engine = Literal["dynamodb", "analytics"]
HOUR_MS = 3_600_000


@dataclass(frozen=True)
class EnginePolicy:
    #: ranges up to this stay on the reads table (the analytics copy lags Firehose's buffer)
    short_range_ms: int = DAY_MS
    #: national density used for the estimates (Belgium: 10–30 M reads a day)
    reads_per_day: int = 30_000_000
    #: measured by bench/analytics_bench.py: compressed bytes per read, all columns (zstd,
    #: compacted; Firehose's SNAPPY files are larger until compaction rewrites them)
    parquet_bytes_per_read: float = 44.0
    #: share of those bytes the columns a search reads make up (measured: 0.66)
    scanned_share: float = 0.66
    #: camera windows a search may make on the reads table before the copy is cheaper
    max_camera_windows: int = 5_000


DEFAULT_POLICY = EnginePolicy()


@dataclass(frozen=True)
class EngineChoice:
    engine: Engine
    reason: str
    #: partitions the chosen engine reads: day/hour folders, or reads-table queries
    partitions: int
    #: estimated bytes scanned (analytics) or read (DynamoDB, ≈ 0.55 KB per item)
    bytes: int

    @property
    def athena_usd(self) -> float:
        """Athena's price: $5 per TB scanned (10 MB minimum per query)."""
        if self.engine != "analytics":
            return 0.0
        return max(self.bytes, 10 * 1024**2) / 1024**4 * 5.0

    def as_dict(self) -> dict:
        return {
            "engine": self.engine,
            "reason": self.reason,
            "partitions": self.partitions,
            "bytes": self.bytes,
            "athena_usd": round(self.athena_usd, 4),
        }


def choose_engine(
    search_type: str,
    range_ms: int,
    *,
    national: bool = True,
    cameras: int = 0,
    policy: EnginePolicy = DEFAULT_POLICY,
) -> EngineChoice:
    """``range_ms``: the span of reads the search touches (convoy: including control days);
    ``national``: a partial search with no camera/zone limit; ``cameras``: cameras windowed."""
    days = max(range_ms, 1) / DAY_MS
    hours = -(-max(range_ms, 1) // HOUR_MS) + 1
    scanned = int(days * policy.reads_per_day * policy.parquet_bytes_per_read * policy.scanned_share)
    analytics = lambda reason: EngineChoice("analytics", reason, hours, scanned)

    def dynamodb(reason: str, partitions: int, items: float) -> EngineChoice:
        return EngineChoice("dynamodb", reason, partitions, int(items * 550))

    slices = -(-max(range_ms, 1) // keys.SLICE_MS) * keys.WRITE_SHARDS
    if search_type == "trajectory":
        return dynamodb("a plate look-up: the byPlate index reads only that plate's reads", 1, days * 50)
    if range_ms <= policy.short_range_ms:
        reads_hit = days * policy.reads_per_day
        parts = slices if search_type == "partial" and national else max(cameras, 1) * hours
        if search_type != "partial" or not national:
            reads_hit = reads_hit * max(cameras, 1) / 2_000
        return dynamodb(
            f"short range ({range_ms / HOUR_MS:.1f} h ≤ {policy.short_range_ms / HOUR_MS:.0f} h): the reads table",
            parts,
            reads_hit,
        )
    if search_type in ("partial", "convoy"):
        what = "a national pattern" if search_type == "partial" and national else search_type
        return analytics(f"{what} over {days:.1f} days: one scan of the analytics copy")
    if search_type in ("place", "ab"):
        windows = max(cameras, 1) * hours
        if windows > policy.max_camera_windows:
            return analytics(f"{windows} camera-hour windows over {days:.1f} days: the analytics copy")
        return dynamodb(
            f"{windows} camera-hour windows (≤ {policy.max_camera_windows}): the byCamera index",
            windows,
            days * policy.reads_per_day * max(cameras, 1) / 2_000,
        )
    return dynamodb(f"no analytics query for {search_type}", 0, 0)


def choose_for(query, cameras: int = 0, policy: EnginePolicy = DEFAULT_POLICY) -> EngineChoice:
    """:func:`choose_engine` for a parsed search query."""
    span = query.end_ms - oldest_ms(query)
    if isinstance(query, ConvoyQuery):
        # its control days are a few ±Δt window queries a sighting: a convoy whose own range is
        # short stays on the reads table, which is fresh (the copy lags Firehose's buffer, and
        # "who travels with the car that just passed" is the common question)
        own = query.end_ms - query.start_ms + 2 * query.window_s * 1000
        if own <= policy.short_range_ms:
            return choose_engine(query.type, own, national=False, cameras=cameras, policy=policy)
        span += 2 * query.window_s * 1000
    national = isinstance(query, PartialQuery) and not (query.cameras or query.zones)
    if isinstance(query, PlaceQuery) and query.cameras:
        cameras = cameras or len(query.cameras)
    if isinstance(query, ABQuery):
        cameras = cameras or len(query.a.cameras) + len(query.b.cameras)
    return choose_engine(query.type, span, national=national, cameras=cameras, policy=policy)


@dataclass(frozen=True)
class ScanBounds:
    """What one search on the analytics copy, and one investigator in 24 hours, may scan (the
    copy's counterpart of the reads table's ``CostBounds``; the Athena workgroup's own cutoff
    stops a query at ``job_bytes`` in any case)."""

    job_bytes: int = 200 * 1024**3
    user_bytes_per_day: int = 1000 * 1024**3


DEFAULT_SCAN_BOUNDS = ScanBounds()


def check_scan(choice: EngineChoice, bounds: ScanBounds, scanned_today: int = 0) -> None:
    """``BadRequest`` saying what the search would scan, the bound, and how to narrow it."""
    gb = lambda b: f"{b / 1024**3:,.0f} GB"
    if choice.bytes > bounds.job_bytes:
        raise BadRequest(
            f"this search would scan about {gb(choice.bytes)} of the analytics copy (≈ ${choice.athena_usd:.2f}); "
            f"one search may scan at most {gb(bounds.job_bytes)}. Narrow it: shorten the period"
        )
    if scanned_today + choice.bytes > bounds.user_bytes_per_day:
        raise BadRequest(
            f"this search (≈ {gb(choice.bytes)} scanned) would take your searches of the last 24 hours to "
            f"≈ {gb(scanned_today + choice.bytes)}, above the daily bound of {gb(bounds.user_bytes_per_day)}; "
            "narrow it or wait"
        )
