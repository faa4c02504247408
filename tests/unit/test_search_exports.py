"""Evidence files: every export names the query, who ran it, when and for which case."""

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from anpr.search import exports, maps
from anpr.search import synthetic as syn
from anpr.search.models import SearchResult
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from tests.helpers import NOW_MS

PROVENANCE = {
    "job_id": "job42",
    "type": "trajectory",
    "query": {"plate": "1ABC234"},
    "run_by": {"user_id": "sub-ivan", "username": "ivan"},
    "case_ref": "PV-BRU-2026-001",
    "reason": "burglary series",
    "prosecutor_ref": None,
    "submitted_ms": NOW_MS,
    "finished_ms": NOW_MS,
}


def result():
    cams = syn.cameras_on_a_line(4)
    sightings = syn.drive("1ABC234", cams, NOW_MS - 3_600_000, 60_000)
    return SearchResult(
        provenance=PROVENANCE, items=[s.model_dump(mode="json") for s in sightings], sightings=sightings
    )


def test_csv_has_provenance_then_one_row_per_sighting():
    provenance, rows = exports.read_csv(exports.to_csv(result()))
    assert provenance["case"] == "PV-BRU-2026-001" and provenance["run by"].startswith("ivan")
    assert [r["camera_id"] for r in rows] == ["CAM-000", "CAM-001", "CAM-002", "CAM-003"]
    assert rows[0]["time_utc"].endswith("Z")


def forged(base=None, **over):
    r = base or result()
    return r.model_copy(update={"provenance": {**r.provenance, **over}})


def test_a_reason_with_a_csv_line_does_not_add_a_row():
    # GIVEN a reason carrying a newline and a CSV line
    body = exports.to_csv(forged(reason='burglary series\nX,Y,Z\n"1,2"'))
    # WHEN the export is read as CSV THEN the data rows are the sightings, no more
    provenance, rows = exports.read_csv(body)
    assert len(rows) == 4 and all(r["read_id"].startswith("r") or r["read_id"] for r in rows)
    every_row = list(csv.reader(io.StringIO(body.decode(), newline="")))
    assert ["X", "Y", "Z"] not in every_row
    # AND the reason is kept whole, inside its provenance cell
    assert provenance["reason"] == 'burglary series\nX,Y,Z\n"1,2"'
    # AND every field is quoted
    assert all(line.startswith('"') for line in body.decode().split("\r\n") if line)


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@"])
def test_formula_prefixes_are_neutralised(prefix):
    # GIVEN a case reference a spreadsheet would run as a formula
    provenance, rows = exports.read_csv(exports.to_csv(forged(case_ref=f'{prefix}HYPERLINK("http://x")')))
    # THEN the cell starts with a quote mark; numbers (lat, lon) stay numbers
    assert provenance["case"] == f'\'{prefix}HYPERLINK("http://x")'
    assert float(rows[0]["lat"]) > 50


def test_times_are_brussels_local_with_the_offset():
    # GIVEN sightings at a known instant in winter (CET, +01:00) and in summer (CEST, +02:00)
    assert exports.local(1_795_000_000_000) == "2026-11-18 12:06:40 +01:00"
    assert exports.local(1_785_000_000_000) == "2026-07-25 19:20:00 +02:00"
    _, rows = exports.read_csv(exports.to_csv(result()))
    assert rows[0]["time_brussels"] == exports.local(int(rows[0]["capture_ms"]))


def test_provenance_is_in_words():
    words = dict(exports.provenance_words(PROVENANCE))
    assert words["question"].startswith("where was 1ABC234 seen")
    assert words["run by"] == "ivan (user sub-ivan)"
    assert "administrative window" in words["legal basis"]
    assert words["submitted"] == "2026-11-18 12:06:40 +01:00"
    judicial = dict(exports.provenance_words({**PROVENANCE, "prosecutor_ref": "PG-BRU-77/26"}))
    assert "PG-BRU-77/26" in judicial["legal basis"] and "prosecutor" in judicial["legal basis"]
    assert not any(str(NOW_MS) in v for v in words.values())  # no epoch milliseconds


def test_cameras_by_name_and_alternatives_only_for_doubtful_reads():
    cams = syn.cameras_on_a_line(2)
    sure = syn.sighting("1ABC234", cams[0], NOW_MS - 60_000).model_copy(
        update={"confidence": 0.95, "alternatives": ("1A8C234",)}
    )
    doubtful = syn.sighting("1ABC234", cams[1], NOW_MS).model_copy(
        update={"confidence": 0.6, "alternatives": ("1A8C234",)}
    )
    r = SearchResult(provenance=PROVENANCE, items=[], sightings=[sure, doubtful])
    places = {"CAM-000": "Rue de la Loi, Bruxelles"}
    _, rows = exports.read_csv(exports.to_csv(r, places))
    assert rows[0]["camera"] == "Rue de la Loi, Bruxelles (CAM-000)" and rows[1]["camera"] == "CAM-001"
    assert [row["alternatives"] for row in rows] == ["", "1A8C234"]
    page = maps.to_html(r, places=places)
    assert "Rue de la Loi, Bruxelles" in page and page.count("1A8C234") == 1


def test_geojson_points_route_and_metadata():
    doc = json.loads(exports.to_geojson(result()))
    assert doc["metadata"]["case_ref"] == "PV-BRU-2026-001"
    kinds = [f["geometry"]["type"] for f in doc["features"]]
    assert kinds.count("Point") == 4 and kinds.count("LineString") == 1


def test_kml_parses_and_carries_the_case():
    root = ET.fromstring(exports.to_kml(result()))
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    assert len(root.findall(".//k:Placemark", ns)) == 5
    data = {d.get("name"): d.find("k:value", ns).text for d in root.findall(".//k:Data", ns)}
    assert data["case_ref"] == "PV-BRU-2026-001"


def test_png_map_is_an_image():
    img = Image.open(io.BytesIO(maps.to_png(result())))
    assert img.format == "PNG" and img.size[0] == 1000 and img.size[1] >= 760


def test_png_map_shows_streets_from_the_bundled_road_network():
    # GIVEN sightings in central Brussels (where the bundled base layer has streets)
    cams = [
        camera.model_copy(update={"lat": 50.84 + i * 0.004, "lon": 4.35 + i * 0.004})
        for i, camera in enumerate(syn.cameras_on_a_line(4))
    ]
    r = SearchResult(
        provenance=PROVENANCE, items=[], sightings=syn.drive("1ABC234", cams, NOW_MS - 3_600_000, 60_000)
    )
    assert len(maps.bundled_basemap()) > 500
    # WHEN drawn THEN street pixels are there; without the base layer none are
    colours = {c: n for n, c in Image.open(io.BytesIO(maps.to_png(r))).getcolors(1_000_000)}
    assert colours.get(maps.STREET, 0) + colours.get(maps.MAJOR_STREET, 0) > 2_000
    bare = {c: n for n, c in Image.open(io.BytesIO(maps.to_png(r, base=[]))).getcolors(1_000_000)}
    assert bare.get(maps.STREET, 0) + bare.get(maps.MAJOR_STREET, 0) == 0


def test_scale_bar_is_a_round_length():
    assert maps.scale_bar_m(0.1) == 1000  # 120 px at 0.1 px/m → 1,200 m → 1 km
    assert maps.scale_bar_m(0.05) == 2000


def test_labels_do_not_overlap():
    # GIVEN twenty labels anchored on the same spot WHEN placed greedily
    labels = maps.Labels((0, 0, 1000, 1000))
    spots = [labels.place(500, 500, 60, 11) for _ in range(20)]
    placed = [s for s in spots if s]
    # THEN at most the eight spots around the anchor are used and no two boxes overlap
    assert 1 < len(placed) <= 8
    boxes = labels.boxes
    assert not any(maps.Labels._overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_html_shows_plate_crops_inline():
    r = result()
    crop = io.BytesIO()
    Image.new("RGB", (120, 30), (250, 250, 250)).save(crop, format="PNG")
    page = maps.to_html(r, crops={r.sightings[0].read_id: crop.getvalue()})
    assert page.count('src="data:image/png;base64,') == 1


def test_html_map_is_self_contained():
    page = maps.to_html(result())
    assert "<svg" in page and "<polyline" in page and "PV-BRU-2026-001" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") and "<script" not in page


@settings(max_examples=100, deadline=None, derandomize=True)
@given(reason=st.text(min_size=1, max_size=80), case=st.text(min_size=1, max_size=30))
def test_no_provenance_text_can_add_or_change_a_data_row(reason, case):
    # GIVEN any reason and case reference (newlines, quotes, commas, NUL, formula prefixes...)
    base = result()
    body = exports.to_csv(forged(base, reason=reason, case_ref=case))
    # WHEN read back as CSV THEN the data rows are exactly those of a clean export
    provenance, rows = exports.read_csv(body)
    _, clean = exports.read_csv(exports.to_csv(base))
    assert rows == clean
    # AND the text is kept whole (a formula start gets a leading quote)
    assert (provenance["reason"], provenance["case"]) == (
        exports.neutralise(reason),
        exports.neutralise(case),
    )
