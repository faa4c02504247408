"""All sightings of a search → ranked items, per search type."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

from anpr.search.models import (
    ABQuery,
    ConvoyQuery,
    PartialQuery,
    PlaceQuery,
    SearchResult,
    Sighting,
    TrajectoryQuery,
)

#: below this confidence a sighting shows the reader's alternative readings
LOW_CONFIDENCE = 0.8


def merge(query, sightings: Iterable[Sighting], provenance: dict) -> SearchResult:
    unique: dict[tuple[str, str], Sighting] = {}
    for s in sightings:
        unique.setdefault((s.read_id, s.tag), s)
    rows = sorted(unique.values(), key=lambda s: (s.capture_ms, s.read_id, s.tag))
    if isinstance(query, TrajectoryQuery):
        return _trajectory(rows, provenance)
    if isinstance(query, PartialQuery | PlaceQuery):
        return _vehicles(rows, provenance)
    if isinstance(query, ABQuery):
        return _a_and_b(rows, provenance)
    if isinstance(query, ConvoyQuery):
        return _convoy(query, rows, provenance)
    raise ValueError(f"no merge for {type(query).__name__}")


def _sighting_item(s: Sighting) -> dict:
    item = s.model_dump(mode="json", exclude={"tag", "alternatives"})
    item["alternatives"] = list(s.alternatives) if s.confidence < LOW_CONFIDENCE else []
    item["match"] = "lookalike" if s.tag == "lookalike" else "exact"
    return item


def _trajectory(rows: list[Sighting], provenance: dict) -> SearchResult:
    seen: dict[str, Sighting] = {}
    for s in rows:  # a read found both as the plate and as a look-alike keeps "exact"
        if s.read_id not in seen or seen[s.read_id].tag == "lookalike":
            seen[s.read_id] = s
    ordered = sorted(seen.values(), key=lambda s: (s.capture_ms, s.read_id))
    cameras = []
    for s in ordered:
        if not cameras or cameras[-1] != s.camera_id:
            cameras.append(s.camera_id)
    return SearchResult(
        provenance=provenance,
        items=[_sighting_item(s) for s in ordered],
        sightings=ordered,
        summary={"sightings": len(ordered), "cameras_in_order": cameras},
    )


def _vehicle(plate: str, sightings: list[Sighting]) -> dict:
    cams = sorted({s.camera_id for s in sightings})
    return {
        "plate": plate,
        "reads": len(sightings),
        "cameras": cams,
        "first_ms": sightings[0].capture_ms,
        "last_ms": sightings[-1].capture_ms,
        "min_confidence": min(s.confidence for s in sightings),
    }


def _by_plate(rows: list[Sighting]) -> dict[str, list[Sighting]]:
    out: dict[str, list[Sighting]] = defaultdict(list)
    for s in rows:
        out[s.plate].append(s)
    return out


def _vehicles(rows: list[Sighting], provenance: dict) -> SearchResult:
    groups = _by_plate(rows)
    items = sorted((_vehicle(p, ss) for p, ss in groups.items()), key=lambda v: (-v["reads"], v["plate"]))
    return SearchResult(
        provenance=provenance,
        items=items,
        sightings=rows,
        summary={"vehicles": len(items), "sightings": len(rows)},
    )


def _a_and_b(rows: list[Sighting], provenance: dict) -> SearchResult:
    groups = _by_plate(rows)
    items, kept = [], []
    for plate, ss in groups.items():
        at_a = [s for s in ss if s.tag == "a"]
        at_b = [s for s in ss if s.tag == "b"]
        if at_a and at_b:
            v = _vehicle(plate, ss)
            v.update(
                first_a_ms=at_a[0].capture_ms,
                first_b_ms=at_b[0].capture_ms,
                reads_a=len(at_a),
                reads_b=len(at_b),
            )
            items.append(v)
            kept.extend(ss)
    items.sort(key=lambda v: (abs(v["first_b_ms"] - v["first_a_ms"]), v["plate"]))
    kept.sort(key=lambda s: (s.capture_ms, s.read_id))
    return SearchResult(
        provenance=provenance,
        items=items,
        sightings=kept,
        summary={"vehicles": len(items), "sightings": len(kept)},
    )


def _convoy(query: ConvoyQuery, rows: list[Sighting], provenance: dict) -> SearchResult:
    """Rank vehicles by how often they travel with the target.

    For each sighting of the target (window w, camera c, time t), every other vehicle seen at
    c within ±Δt co-occurs. Two controls against the classic false positives:
    - busy cameras: a co-occurrence weighs idf(w) = ln(1 + N / n_w), N the distinct vehicles in
      all windows and n_w those in this one; a motorway gantry with 400 vehicles in ±2 min
      counts far less than a village road with 3. Closer in time counts more (×1 → ×0.5 at Δt).
    - commuter regulars: control windows at the same camera and time of day on previous days;
      a vehicle there in a fraction r of them is a regular: its score is × (1 - r).
    A partner needs ≥ K distinct cameras; rank by score, then distinct cameras.
    """
    target = [s for s in rows if s.tag == "target"]
    t_of = {s.read_id: s for s in target}
    windows: dict[str, list[Sighting]] = defaultdict(list)
    controls: dict[str, set[str]] = defaultdict(set)  # control window → plates
    for s in rows:
        if s.tag.startswith("w:") and s.plate != query.plate:
            windows[s.tag].append(s)
        elif s.tag.startswith("c:"):
            controls[s.tag].add(s.plate)
    universe = {s.plate for ss in windows.values() for s in ss}
    n_all = max(len(universe), 1)
    dt_ms = query.window_s * 1000

    per_plate: dict[str, dict] = defaultdict(lambda: {"cams": {}, "windows": set(), "reads": []})
    for tag, ss in windows.items():
        centre = t_of.get(tag[2:])
        if centre is None:
            continue
        plates_here = {s.plate for s in ss}
        idf = math.log(1 + n_all / len(plates_here))
        for s in ss:
            proximity = 1 - 0.5 * min(abs(s.capture_ms - centre.capture_ms), dt_ms) / dt_ms
            p = per_plate[s.plate]
            p["cams"][centre.camera_id] = max(p["cams"].get(centre.camera_id, 0.0), idf * proximity)
            p["windows"].add(tag)
            p["reads"].append(s)

    n_control_by_cam: dict[str, int] = defaultdict(int)
    plates_in_control_by_cam: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for t in target:
        for day in range(1, query.control_days + 1):
            tag = f"c:{t.read_id}:{day}"
            n_control_by_cam[t.camera_id] += 1
            for plate in controls.get(tag, ()):
                plates_in_control_by_cam[t.camera_id][plate] += 1

    items, kept = [], list(target)
    for plate, p in per_plate.items():
        if len(p["cams"]) < query.min_cameras:
            continue
        n_ctrl = sum(n_control_by_cam[c] for c in p["cams"])
        hits = sum(plates_in_control_by_cam[c].get(plate, 0) for c in p["cams"])
        regular = hits / n_ctrl if n_ctrl else 0.0
        raw = sum(p["cams"].values())
        reads = sorted(p["reads"], key=lambda s: s.capture_ms)
        items.append(
            {
                "plate": plate,
                "score": round(raw * (1 - regular), 4),
                "cameras": len(p["cams"]),
                "co_occurrences": len(p["windows"]),
                "regular_rate": round(regular, 3),
                "raw_score": round(raw, 4),
                "camera_ids": sorted(p["cams"]),
                "first_ms": reads[0].capture_ms,
                "last_ms": reads[-1].capture_ms,
            }
        )
        kept.extend(reads)
    items.sort(key=lambda v: (-v["score"], -v["cameras"], v["plate"]))
    for rank, item in enumerate(items, 1):
        item["rank"] = rank
    kept = sorted({s.read_id: s for s in kept}.values(), key=lambda s: (s.capture_ms, s.read_id))
    return SearchResult(
        provenance=provenance,
        items=items,
        sightings=kept,
        summary={
            "candidates": len(items),
            "target_sightings": len(target),
            "windows": len(windows),
            "vehicles_in_windows": len(universe),
        },
    )
