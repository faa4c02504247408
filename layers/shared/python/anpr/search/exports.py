"""Evidence exports: CSV, GeoJSON, KML. Each carries the provenance (query, who, when, case).

Evidence rules (issue 11 finding 6, issue 17 item 5):
- the CSV is written by ``csv.writer`` quoting every field, so a newline or a comma in a case
  reference or a reason stays inside its cell; the provenance is a separate block of
  ``provenance, label, value`` rows before an empty row and the data header, never data rows;
  a cell a spreadsheet would run as a formula (leading ``= + - @``, tab, CR) gets a ``'``;
- times in Brussels local time with the UTC offset (and UTC alongside), provenance in words,
  cameras by name and place, the reader's alternatives only for doubtful reads (< 0.8).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from anpr.search.merge import LOW_CONFIDENCE
from anpr.search.models import SearchResult, Sighting

BRUSSELS = ZoneInfo("Europe/Brussels")

#: evidence CSV columns
CSV_FIELDS = (
    "read_id",
    "plate",
    "time_brussels",
    "time_utc",
    "capture_ms",
    "camera_id",
    "camera",
    "zone",
    "lat",
    "lon",
    "confidence",
    "alternatives",
    "snapshot_key",
)
#: first cell of every provenance row of the CSV
PROVENANCE_MARK = "provenance"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def iso(ms: int | None) -> str:
    return "" if ms is None else datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat().replace("+00:00", "Z")


def local(ms: int | None) -> str:
    """Brussels local time with its offset: ``2026-11-18 11:00:00 +01:00``."""
    if ms is None:
        return ""
    t = datetime.fromtimestamp(ms / 1000, tz=BRUSSELS)
    return t.strftime("%Y-%m-%d %H:%M:%S ") + t.strftime("%z")[:3] + ":" + t.strftime("%z")[3:]


def neutralise(value: object) -> object:
    """A text cell a spreadsheet would evaluate is prefixed with ``'``; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def alternatives(s: Sighting) -> tuple[str, ...]:
    """The reader's alternative readings, shown only where the read was doubtful."""
    return s.alternatives if s.confidence < LOW_CONFIDENCE else ()


def camera_label(camera_id: str, places: Mapping[str, str] | None) -> str:
    place = (places or {}).get(camera_id)
    return f"{place} ({camera_id})" if place else camera_id


def _window(q: dict) -> str:
    return f"from {local(q.get('start_ms'))} to {local(q.get('end_ms'))}"


def _place_words(q: dict, places: Mapping[str, str] | None) -> str:
    if q.get("cameras"):
        return "at " + ", ".join(camera_label(c, places) for c in q["cameras"])
    if q.get("circle"):
        c = q["circle"]
        return f"within {c['radius_m']:.0f} m of {c['lat']:.5f}, {c['lon']:.5f}"
    if q.get("polygon"):
        return f"inside an area of {len(q['polygon'])} points"
    return ""


def query_in_words(kind: str, q: dict, places: Mapping[str, str] | None = None) -> str:
    """What was asked, as a sentence a court can read."""
    if kind == "trajectory":
        extra = " (and plates one look-alike character away)" if q.get("include_lookalikes") else ""
        return f"where was {q['plate']} seen{extra}, {_window(q)}"
    if kind == "partial":
        limit = ""
        if q.get("cameras"):
            limit += ", at " + ", ".join(camera_label(c, places) for c in q["cameras"])
        if q.get("zones"):
            limit += ", in police zone(s) " + ", ".join(q["zones"])
        return f"plates matching {q['pattern']} (? one character, * any run), {_window(q)}{limit or ', nationwide'}"
    if kind == "place":
        return f"vehicles seen {_place_words(q, places)}, {_window(q)}"
    if kind == "ab":
        a, b = q["a"], q["b"]
        return (
            f"vehicles seen {_place_words(a, places)} {_window(a)} and {_place_words(b, places)} {_window(b)}"
        )
    if kind == "convoy":
        return (
            f"vehicles travelling with {q['plate']}, {_window(q)}: within ±{q.get('window_s')} s of it at "
            f"at least {q.get('min_cameras')} cameras, commuters checked against {q.get('control_days')} previous days"
        )
    return json.dumps(q, sort_keys=True)


def provenance_words(
    p: dict, places: Mapping[str, str] | None = None, admin_window_days: int = 30
) -> list[tuple[str, str]]:
    """(label, sentence) pairs: who ran which search, when, for which case, on which legal basis."""
    who = p["run_by"].get("username") or p["run_by"]["user_id"]
    if p.get("prosecutor_ref"):
        basis = (
            f"decision of the public prosecutor {p['prosecutor_ref']} "
            f"(reads older than {admin_window_days} days, judicial police)"
        )
    else:
        basis = f"reads of the last {admin_window_days} days (administrative window), no prosecutor decision needed"
    return [
        ("search", f"{p['job_id']} ({p['type']})"),
        ("question", query_in_words(p["type"], p["query"], places)),
        ("run by", f"{who} (user {p['run_by']['user_id']})"),
        ("case", p["case_ref"]),
        ("reason", p["reason"]),
        ("legal basis", basis),
        ("submitted", local(p["submitted_ms"])),
        ("finished", local(p.get("finished_ms"))),
        ("times", "Brussels local time with its offset from UTC"),
    ]


def _provenance_lines(result: SearchResult, places: Mapping[str, str] | None = None) -> list[str]:
    return [f"{label}: {text}" for label, text in provenance_words(result.provenance, places)]


def to_csv(result: SearchResult, places: Mapping[str, str] | None = None) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    for label, text in provenance_words(result.provenance, places):
        w.writerow([PROVENANCE_MARK, label, neutralise(text)])
    w.writerow([])  # the provenance block ends here; the data table follows
    w.writerow(CSV_FIELDS)
    for s in result.sightings:
        w.writerow(
            [
                neutralise(v)
                for v in (
                    s.read_id,
                    s.plate,
                    local(s.capture_ms),
                    iso(s.capture_ms),
                    s.capture_ms,
                    s.camera_id,
                    camera_label(s.camera_id, places),
                    s.zone,
                    s.lat,
                    s.lon,
                    s.confidence,
                    "|".join(alternatives(s)),
                    s.snapshot_key,
                )
            ]
        )
    return buf.getvalue().encode()


def read_csv(body: bytes) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The provenance block and the data rows of an export CSV (for checks and tools)."""
    rows = list(csv.reader(io.StringIO(body.decode(), newline="")))
    blank = rows.index([])
    provenance = {r[1]: r[2] for r in rows[:blank] if r and r[0] == PROVENANCE_MARK}
    header, data = rows[blank + 1], rows[blank + 2 :]
    return provenance, [dict(zip(header, r, strict=True)) for r in data]


def _routes(result: SearchResult) -> dict[str, list]:
    routes: dict[str, list] = {}
    for s in result.sightings:
        routes.setdefault(s.plate, []).append(s)
    return routes


def to_geojson(result: SearchResult, places: Mapping[str, str] | None = None) -> bytes:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
            "properties": {
                "read_id": s.read_id,
                "plate": s.plate,
                "time_brussels": local(s.capture_ms),
                "time_utc": iso(s.capture_ms),
                "camera_id": s.camera_id,
                "camera": camera_label(s.camera_id, places),
                "zone": s.zone,
                "confidence": s.confidence,
                "alternatives": list(alternatives(s)),
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
                        "from_brussels": local(ss[0].capture_ms),
                        "to_brussels": local(ss[-1].capture_ms),
                        "from_utc": iso(ss[0].capture_ms),
                        "to_utc": iso(ss[-1].capture_ms),
                    },
                }
            )
    metadata = {**result.provenance, "in_words": dict(provenance_words(result.provenance, places))}
    doc = {"type": "FeatureCollection", "metadata": metadata, "features": features}
    return json.dumps(doc, indent=1).encode()


def to_kml(result: SearchResult, places: Mapping[str, str] | None = None) -> bytes:
    p = result.provenance
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document>',
        f"<name>{escape('search ' + p['job_id'])}</name>",
        f"<description>{escape(' | '.join(_provenance_lines(result, places)))}</description>",
        "<ExtendedData>",
        *(
            f'<Data name="{k}"><value>{escape(str(v if not isinstance(v, dict) else json.dumps(v)))}</value></Data>'
            for k, v in p.items()
        ),
        "</ExtendedData>",
    ]
    for s in result.sightings:
        alts = alternatives(s)
        text = f"{camera_label(s.camera_id, places)}, {local(s.capture_ms)}, read {s.read_id}, conf {s.confidence:.2f}"
        if alts:
            text += f", or: {', '.join(alts)}"
        out.append(
            f"<Placemark><name>{escape(s.plate)}</name><TimeStamp><when>{iso(s.capture_ms)}</when></TimeStamp>"
            f"<description>{escape(text)}</description>"
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
