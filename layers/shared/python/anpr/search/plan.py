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
