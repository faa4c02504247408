"""A query → bounded Map items.

Two ways to reach reads (see anpr/reads/keys.py for the key design):
- **slices**: every base-table partition ``T#{minute}#{shard}`` in the range; a national
  fan-out, used by a partial-plate search with no camera/zone limit. One item covers
  ``slices_per_item`` minutes × ``shards_per_item`` shards.
- **cameras**: byCamera GSI windows ``(camera, start, end)``; place, A-and-B, convoy windows,
  and partial searches limited to cameras or zones. ``windows_per_item`` per item.
- **plates**: byPlate GSI; trajectory (and the convoy target).

Items are small self-contained JSON so that a Map (inline, or Distributed reading them
from S3) can hand them to the partition task unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from anpr.kernel.errors import BadRequest
from anpr.reads import keys
from anpr.reads.cameras import CameraRegistry
from anpr.reads.plates import lookalikes
from anpr.search.geo import distance_m, in_polygon
from anpr.search.models import (
    DAY_MS,
    ABQuery,
    ConvoyQuery,
    PartialQuery,
    Place,
    PlaceQuery,
    TrajectoryQuery,
)
from anpr.search.source import ReadSource


@dataclass(frozen=True)
class PlanLimits:
    slices_per_item: int = 1
    shards_per_item: int = keys.WRITE_SHARDS
    windows_per_item: int = 25
    plates_per_item: int = 16
    #: above this many items the state machine switches to the Distributed Map (items in S3)
    inline_max_items: int = 200


DEFAULT_LIMITS = PlanLimits()


def plan(
    query, cameras: CameraRegistry, source: ReadSource, limits: PlanLimits = DEFAULT_LIMITS
) -> list[dict]:
    """Items for ``query``, numbered from 0. Pure apart from registry/target look-ups."""
    if isinstance(query, TrajectoryQuery):
        plates = [query.plate] + (lookalikes(query.plate, max_swaps=1) if query.include_lookalikes else [])
        items = _plate_items(plates, query.start_ms, query.end_ms, limits)
    elif isinstance(query, PartialQuery):
        limited = list(query.cameras) + [c.camera_id for c in cameras.list() if c.zone in set(query.zones)]
        if query.cameras or query.zones:
            if not limited:
                raise BadRequest("no camera in the given zones")
            windows = [_w(c, query.start_ms, query.end_ms) for c in sorted(set(limited))]
            items = _window_items(windows, limits)
        else:
            items = _slice_items(query.start_ms, query.end_ms, limits)
    elif isinstance(query, PlaceQuery):
        items = _window_items(_place_windows(query, cameras, ""), limits)
    elif isinstance(query, ABQuery):
        items = _window_items(
            _place_windows(query.a, cameras, "a") + _place_windows(query.b, cameras, "b"), limits
        )
    elif isinstance(query, ConvoyQuery):
        items = _convoy_items(query, source, limits)
    else:  # pragma: no cover - the discriminated union is closed
        raise BadRequest(f"unknown search type {type(query).__name__}")
    return [{**item, "index": i} for i, item in enumerate(items)]


def mode_for(items: list[dict], limits: PlanLimits = DEFAULT_LIMITS) -> str:
    return "distributed" if len(items) > limits.inline_max_items else "inline"


def partitions_in(item: dict) -> int:
    """How many partition queries an item stands for (progress and cost accounting)."""
    if item["kind"] == "slices":
        n_slices = sum(1 for _ in keys.slices(item["start_ms"], item["end_ms"]))
        return n_slices * (item["shard_hi"] - item["shard_lo"] + 1)
    if item["kind"] == "cameras":
        return len(item["windows"])
    if item["kind"] == "analytics":  # one SQL over the analytics copy: its day/hour partitions
        return item["engine"]["partitions"]
    return len(item["plates"])


def _w(camera_id: str, start_ms: int, end_ms: int, tag: str = "") -> dict:
    return {"camera_id": camera_id, "start_ms": start_ms, "end_ms": end_ms, "tag": tag}


def _chunks(seq: list, n: int):
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def _plate_items(
    plates: list[str], start_ms: int, end_ms: int, limits: PlanLimits, tag: str = ""
) -> list[dict]:
    return [
        {"kind": "plates", "plates": chunk, "start_ms": start_ms, "end_ms": end_ms, "tag": tag}
        for chunk in _chunks(plates, limits.plates_per_item)
    ]


def _window_items(windows: list[dict], limits: PlanLimits) -> list[dict]:
    return [{"kind": "cameras", "windows": chunk} for chunk in _chunks(windows, limits.windows_per_item)]


def _slice_items(start_ms: int, end_ms: int, limits: PlanLimits) -> list[dict]:
    items = []
    step = keys.SLICE_MS * limits.slices_per_item
    t = start_ms - start_ms % keys.SLICE_MS
    while t <= end_ms:
        lo_ms, hi_ms = max(t, start_ms), min(t + step - 1, end_ms)
        for lo in range(0, keys.WRITE_SHARDS, limits.shards_per_item):
            hi = min(lo + limits.shards_per_item, keys.WRITE_SHARDS) - 1
            items.append(
                {"kind": "slices", "start_ms": lo_ms, "end_ms": hi_ms, "shard_lo": lo, "shard_hi": hi}
            )
        t += step
    return items


def cameras_at(place: Place, cameras: CameraRegistry) -> list[str]:
    if place.cameras:
        return sorted(set(place.cameras))
    found = []
    for c in cameras.list():
        if (
            place.circle
            and distance_m(place.circle.lat, place.circle.lon, c.lat, c.lon) <= place.circle.radius_m
            or place.polygon
            and in_polygon(c.lat, c.lon, list(place.polygon))
        ):
            found.append(c.camera_id)
    if not found:
        raise BadRequest("no camera in the given area")
    return sorted(found)


def _place_windows(place: Place, cameras: CameraRegistry, tag: str) -> list[dict]:
    return [_w(c, place.start_ms, place.end_ms, tag) for c in cameras_at(place, cameras)]


def _convoy_items(query: ConvoyQuery, source: ReadSource, limits: PlanLimits) -> list[dict]:
    """The target's sightings (one plates item, tag "target"), then for each sighting a window
    ±Δt at its camera ("w:<read>") and control windows on previous days ("c:<read>:<day>")."""
    sightings = sorted(source.plate(query.plate, query.start_ms, query.end_ms), key=lambda s: s.capture_ms)
    sightings = sightings[-query.max_sightings :]
    if not sightings:
        raise BadRequest("the target plate was not seen in this period")
    dt = query.window_s * 1000
    windows = []
    for s in sightings:
        windows.append(_w(s.camera_id, s.capture_ms - dt, s.capture_ms + dt, f"w:{s.read_id}"))
        for day in range(1, query.control_days + 1):
            t = s.capture_ms - day * DAY_MS
            windows.append(_w(s.camera_id, t - dt, t + dt, f"c:{s.read_id}:{day}"))
    return _plate_items([query.plate], query.start_ms, query.end_ms, limits, tag="target") + _window_items(
        windows, limits
    )


# -- cost estimate (before the search runs) ---------------------------------------------------
# Figures from docs/search.md "Partition plan": 50 M reads a day over 2,000 cameras, a read
# item ≈ 550 bytes, eventually consistent reads (one read unit per 8 KB). A contains() filter
# does not lower the read units: DynamoDB charges what it reads before filtering.
NATIONAL_READS_PER_DAY = 50_000_000
NATIONAL_CAMERAS = 2_000
READ_ITEM_BYTES = 550
#: a busy vehicle's reads a day (byPlate look-ups are tiny whatever this is)
PLATE_READS_PER_DAY = 20
_MINUTES_A_DAY = 1_440


def _read_units(reads: float) -> int:
    """Read units of one Query reading ``reads`` items (≥ 1: a Query costs at least one)."""
    return max(1, math.ceil(reads * READ_ITEM_BYTES / 8_192))


#: one base partition = one minute × one shard of the country (≈ 1,085 reads, ≈ 73 RRU)
READS_PER_PARTITION = NATIONAL_READS_PER_DAY / _MINUTES_A_DAY / keys.WRITE_SHARDS
READ_UNITS_PER_PARTITION = _read_units(READS_PER_PARTITION)
CAMERA_READS_PER_MINUTE = NATIONAL_READS_PER_DAY / _MINUTES_A_DAY / NATIONAL_CAMERAS


@dataclass(frozen=True)
class Estimate:
    """What a search is expected to cost on the reads table: partition queries, read units, Map
    items, and the Map that runs them (``engine``: "inline" or "distributed")."""

    partitions: int
    read_units: int
    items: int
    engine: str
    #: the estimate is an upper bound (convoy: the target's sightings are not known yet)
    upper_bound: bool = False

    def public(self) -> dict:
        return {
            "partitions": self.partitions,
            "read_units": self.read_units,
            "items": self.items,
            # the reads table, through an inline or a Distributed Map (the analytics hook, when
            # wired, may later move a long search to the analytics copy: the plan says so)
            "engine": "dynamodb",
            "map": self.engine,
            "upper_bound": self.upper_bound,
        }


def _window_cost(windows: list[tuple[int, int]]) -> int:
    return sum(_read_units(max(1, (e - s) / keys.SLICE_MS) * CAMERA_READS_PER_MINUTE) for s, e in windows)


def _plate_cost(n_plates: int, start_ms: int, end_ms: int) -> int:
    days = max(1.0, (end_ms - start_ms) / DAY_MS)
    return n_plates * _read_units(days * PLATE_READS_PER_DAY)


def estimate(query, cameras: CameraRegistry | None = None, limits: PlanLimits = DEFAULT_LIMITS) -> Estimate:
    """The cost of ``query`` without reading any plate read (only the camera registry, for zones
    and areas). Partial searches without cameras are counted, not planned: a month is 1.3 M
    partitions."""
    upper = False
    if isinstance(query, TrajectoryQuery):
        n = 1 + (len(lookalikes(query.plate, max_swaps=1)) if query.include_lookalikes else 0)
        partitions, units = n, _plate_cost(n, query.start_ms, query.end_ms)
        items = math.ceil(n / limits.plates_per_item)
    elif isinstance(query, PartialQuery) and not (query.cameras or query.zones):
        n_slices = query.end_ms // keys.SLICE_MS - query.start_ms // keys.SLICE_MS + 1
        partitions = n_slices * keys.WRITE_SHARDS
        units = partitions * READ_UNITS_PER_PARTITION
        items = math.ceil(n_slices / limits.slices_per_item) * math.ceil(
            keys.WRITE_SHARDS / limits.shards_per_item
        )
    elif isinstance(query, PartialQuery):
        ids = set(query.cameras)
        if query.zones:
            if cameras is None:
                raise BadRequest("zones cannot be estimated without the camera registry")
            ids |= {c.camera_id for c in cameras.list() if c.zone in set(query.zones)}
        partitions, units = len(ids), _window_cost([(query.start_ms, query.end_ms)] * len(ids))
        items = math.ceil(partitions / limits.windows_per_item)
    elif isinstance(query, PlaceQuery | ABQuery):
        places = [query] if isinstance(query, PlaceQuery) else [query.a, query.b]
        windows = []
        for place in places:
            if not place.cameras and cameras is None:
                raise BadRequest("areas cannot be estimated without the camera registry")
            n = len(set(place.cameras)) if place.cameras else len(cameras_at(place, cameras))
            windows += [(place.start_ms, place.end_ms)] * n
        partitions, units = len(windows), _window_cost(windows)
        items = math.ceil(partitions / limits.windows_per_item)
    elif isinstance(query, ConvoyQuery):
        # at most max_sightings target sightings (not read here), each a ±Δt window and its
        # control windows: an upper bound
        n_windows = query.max_sightings * (1 + query.control_days)
        dt = query.window_s * 1000
        partitions = 1 + n_windows
        units = _plate_cost(1, query.start_ms, query.end_ms) + _window_cost([(0, 2 * dt)] * n_windows)
        items = 1 + math.ceil(n_windows / limits.windows_per_item)
        upper = True
    else:  # pragma: no cover - the discriminated union is closed
        raise BadRequest(f"unknown search type {type(query).__name__}")
    engine = "distributed" if items > limits.inline_max_items else "inline"
    return Estimate(partitions, units, items, engine, upper)


@dataclass(frozen=True)
class CostBounds:
    """The most one search, and one investigator in 24 hours, may cost (SearchApiSettings)."""

    job_partitions: int = 100_000
    job_read_units: int = 5_000_000
    user_read_units_per_day: int = 20_000_000


DEFAULT_BOUNDS = CostBounds()


def _n(x: int) -> str:
    return f"{x:,}"


def check_bounds(query, est: Estimate, bounds: CostBounds, spent_today: int = 0) -> None:
    """``BadRequest`` saying what the search would cost, the bound, and how to narrow it."""
    if est.partitions > bounds.job_partitions or est.read_units > bounds.job_read_units:
        raise BadRequest(
            f"this search would read about {_n(est.partitions)} partitions (≈ {_n(est.read_units)} read "
            f"units); one search may read at most {_n(bounds.job_partitions)} partitions and "
            f"{_n(bounds.job_read_units)} read units. Narrow it: {_how_to_narrow(query, est, bounds)}"
        )
    if spent_today + est.read_units > bounds.user_read_units_per_day:
        raise BadRequest(
            f"this search (≈ {_n(est.read_units)} read units) would take your searches of the last 24 "
            f"hours to ≈ {_n(spent_today + est.read_units)}, above the daily bound of "
            f"{_n(bounds.user_read_units_per_day)}; narrow it or wait"
        )


def _how_to_narrow(query, est: Estimate, bounds: CostBounds) -> str:
    if isinstance(query, PartialQuery) and not (query.cameras or query.zones):
        minutes = min(
            bounds.job_partitions // keys.WRITE_SHARDS, bounds.job_read_units // READ_UNITS_PER_PARTITION
        )
        return (
            "limit it to cameras or zones, or shorten the period (a national partial search may "
            f"cover at most {minutes / 60:.0f} hours)"
        )
    if isinstance(query, ConvoyQuery):
        return "fewer control days, a shorter window_s, fewer max_sightings or a shorter period"
    return "fewer cameras, a smaller area or a shorter period"
