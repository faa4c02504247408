"""Evidence exports: CSV, GeoJSON, KML. Each carries the provenance (query, who, when, case)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from anpr.search.models import SIGHTING_FIELDS, SearchResult

#: evidence CSV columns: every sighting field, with a readable UTC time after the plate
CSV_FIELDS = (*SIGHTING_FIELDS[:2], "time_utc", *SIGHTING_FIELDS[2:])


def iso(ms: int | None) -> str:
    return "" if ms is None else datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat().replace("+00:00", "Z")


def _provenance_lines(result: SearchResult) -> list[str]:
    p = result.provenance
    return [
        f"search {p['job_id']} ({p['type']})",
        f"query: {json.dumps(p['query'], sort_keys=True)}",
        f"run by: {p['run_by'].get('username') or ''} ({p['run_by']['user_id']})",
        f"case: {p['case_ref']}; reason: {p['reason']}; prosecutor decision: {p.get('prosecutor_ref') or '-'}",
        f"submitted: {iso(p['submitted_ms'])}; finished: {iso(p.get('finished_ms'))}",
    ]


def to_csv(result: SearchResult) -> bytes:
    buf = io.StringIO()
    for line in _provenance_lines(result):
        buf.write(f"# {line}\n")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_FIELDS)
    for s in result.sightings:
        w.writerow(
            [
                s.read_id,
                s.plate,
                iso(s.capture_ms),
                s.capture_ms,
                s.camera_id,
                s.zone,
                s.lat,
                s.lon,
                s.confidence,
                "|".join(s.alternatives),
                s.snapshot_key,
            ]
        )
    return buf.getvalue().encode()


def _routes(result: SearchResult) -> dict[str, list]:
    routes: dict[str, list] = {}
    for s in result.sightings:
        routes.setdefault(s.plate, []).append(s)
    return routes


def to_geojson(result: SearchResult) -> bytes:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
            "properties": {
                "read_id": s.read_id,
                "plate": s.plate,
                "time_utc": iso(s.capture_ms),
                "camera_id": s.camera_id,
                "zone": s.zone,
                "confidence": s.confidence,
            },
        }
        for s in result.sightings
    ]
    for plate, ss in _routes(result).items():
        if len(ss) > 1:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": [[s.lon, s.lat] for s in ss]},
                    "properties": {
                        "plate": plate,
                        "route": True,
                        "from_utc": iso(ss[0].capture_ms),
                        "to_utc": iso(ss[-1].capture_ms),
                    },
                }
            )
    doc = {"type": "FeatureCollection", "metadata": result.provenance, "features": features}
    return json.dumps(doc, indent=1).encode()


def to_kml(result: SearchResult) -> bytes:
    p = result.provenance
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document>',
        f"<name>{escape('search ' + p['job_id'])}</name>",
        f"<description>{escape(' | '.join(_provenance_lines(result)))}</description>",
        "<ExtendedData>",
        *(
            f'<Data name="{k}"><value>{escape(str(v if not isinstance(v, dict) else json.dumps(v)))}</value></Data>'
            for k, v in p.items()
        ),
        "</ExtendedData>",
    ]
    for s in result.sightings:
        out.append(
            f"<Placemark><name>{escape(s.plate)}</name><TimeStamp><when>{iso(s.capture_ms)}</when></TimeStamp>"
            f"<description>{escape(f'{s.camera_id} read {s.read_id} conf {s.confidence:.2f}')}</description>"
            f"<Point><coordinates>{s.lon},{s.lat},0</coordinates></Point></Placemark>"
        )
    for plate, ss in _routes(result).items():
        if len(ss) > 1:
            coords = " ".join(f"{s.lon},{s.lat},0" for s in ss)
            out.append(
                f"<Placemark><name>{escape(plate)} route</name><LineString><coordinates>{coords}"
                "</coordinates></LineString></Placemark>"
            )
    out.append("</Document></kml>")
    return "\n".join(out).encode()
