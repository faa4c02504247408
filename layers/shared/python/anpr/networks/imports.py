"""Bulk camera lists from operators: CSV (one camera a row) or GeoJSON (one Point a feature).

Each line is judged alone: a bad row is reported with its line number and reason, never
fails the others."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from pydantic import ValidationError

from anpr.kernel.errors import BadRequest
from anpr.networks.models import CameraIn

CSV_COLUMNS = ("camera_id", "name", "kind", "lat", "lon", "heading", "lanes", "road", "municipality", "zone")

#: (line number, parsed camera or None, reason when None, camera id when known)
Parsed = tuple[int, CameraIn | None, str, str | None]


def _reason(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'row'}: {e['msg']}" for e in exc.errors()[:3])


def parse_csv(text: str) -> Iterator[Parsed]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"camera_id", "lat", "lon"} - set(reader.fieldnames or ())
    if missing:
        raise BadRequest(f"the CSV header lacks {sorted(missing)} (columns: {', '.join(CSV_COLUMNS)})")
    unknown = set(reader.fieldnames or ()) - set(CSV_COLUMNS)
    if unknown:
        raise BadRequest(f"unknown CSV columns {sorted(unknown)} (columns: {', '.join(CSV_COLUMNS)})")
    for row in reader:
        line = reader.line_num
        values = {k: v.strip() for k, v in row.items() if k and v is not None and v.strip() != ""}
        try:
            yield line, CameraIn(**values), "", values.get("camera_id")
        except ValidationError as exc:
            yield line, None, _reason(exc), values.get("camera_id")


def parse_geojson(text: str) -> Iterator[Parsed]:
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise BadRequest(f"the GeoJSON is not JSON ({exc})") from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise BadRequest("the GeoJSON must be a FeatureCollection of Point features")
    for n, feature in enumerate(doc.get("features") or [], start=1):
        props = dict((feature or {}).get("properties") or {})
        geometry = (feature or {}).get("geometry") or {}
        coords = geometry.get("coordinates")
        if geometry.get("type") != "Point" or not isinstance(coords, list) or len(coords) < 2:
            yield n, None, "geometry must be a Point [lon, lat]", props.get("camera_id")
            continue
        try:
            yield n, CameraIn(**props, lon=coords[0], lat=coords[1]), "", props.get("camera_id")
        except (ValidationError, TypeError) as exc:
            reason = _reason(exc) if isinstance(exc, ValidationError) else str(exc)
            yield n, None, reason, props.get("camera_id")
