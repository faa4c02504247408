"""Evidence files: every export names the query, who ran it, when and for which case."""

import csv
import io
import json
import xml.etree.ElementTree as ET

from anpr.search import exports, maps
from anpr.search import synthetic as syn
from anpr.search.models import SearchResult
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
    text = exports.to_csv(result()).decode()
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert any("PV-BRU-2026-001" in line for line in header) and any("ivan" in line for line in header)
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    assert [r["camera_id"] for r in rows] == ["CAM-000", "CAM-001", "CAM-002", "CAM-003"]
    assert rows[0]["time_utc"].endswith("Z")


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
    assert img.format == "PNG" and img.size == (1000, 760)


def test_html_map_is_self_contained():
    page = maps.to_html(result())
    assert "<svg" in page and "<polyline" in page and "PV-BRU-2026-001" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") and "<script" not in page
