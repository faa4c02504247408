"""One Map item → the sightings it contributes (the per-partition task)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from anpr.reads import keys
from anpr.search.models import PartialQuery, Sighting, TrajectoryQuery
from anpr.search.source import ReadSource


def wildcard_regex(pattern: str) -> re.Pattern[str]:
    """``?`` one character, ``*`` any run (possibly empty); the whole plate must match."""
    return re.compile("".join("." if ch == "?" else ".*" if ch == "*" else re.escape(ch) for ch in pattern))


def longest_run(pattern: str) -> str:
    """The longest run of known characters: pushed down to DynamoDB as contains()."""
    return max(re.split(r"[?*]", pattern), key=len)


def _filter_for(query) -> Callable[[Sighting], bool]:
    if isinstance(query, PartialQuery):
        rx = wildcard_regex(query.pattern)
        return lambda s: rx.fullmatch(s.plate) is not None
    return lambda s: True


def run_item(query, item: dict, source: ReadSource) -> list[Sighting]:
    """Every sighting ``item`` finds for ``query``, tagged with the window that found it."""
    keep = _filter_for(query)
    return [s for s in _scan(query, item, source) if keep(s)]


def _scan(query, item: dict, source: ReadSource) -> Iterator[Sighting]:
    kind = item["kind"]
    if kind == "slices":
        run = longest_run(query.pattern) if isinstance(query, PartialQuery) else None
        start_ms, end_ms = item["start_ms"], item["end_ms"]
        for slice_id in keys.slices(start_ms, end_ms):
            for shard in range(item["shard_lo"], item["shard_hi"] + 1):
                yield from source.partition(f"T#{slice_id}#{shard:02d}", start_ms, end_ms, contains=run)
    elif kind == "cameras":
        for w in item["windows"]:
            for s in source.camera(w["camera_id"], w["start_ms"], w["end_ms"]):
                yield s.tagged(w["tag"]) if w["tag"] else s
    elif kind == "plates":
        for plate in item["plates"]:
            tag = item.get("tag", "")
            if isinstance(query, TrajectoryQuery) and plate != query.plate:
                tag = "lookalike"
            for s in source.plate(plate, item["start_ms"], item["end_ms"]):
                yield s.tagged(tag) if tag else s
    else:
        raise ValueError(f"unknown item kind {kind!r}")
