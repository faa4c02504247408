import json
import random

from anpr.kernel.cli import main
from anpr.ocr.render import render_snapshot

from tests.ocr.conftest import require_shipped


def test_ocr_jsonl_prints_one_line_per_image_and_survives_bad_files(tmp_path, capsys):
    # GIVEN a rendered snapshot and a file that is not an image
    require_shipped()
    good = tmp_path / "car.jpg"
    render_snapshot("1ABC234", "BE", random.Random(11))[0].save(good)
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"not an image")
    # WHEN the CLI reads both
    rc = main(["ocr", "--jsonl", str(good), str(bad)])
    lines = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    # THEN one JSON line per image, in order, the bad one with an error and no crash; each plate
    # with its country, the country's score and the runner-up
    assert rc == 0 and [entry["image"] for entry in lines] == [str(good), str(bad)]
    assert set(lines[0]) >= {"image", "plates", "ms"} and lines[0]["ms"] >= 0
    for p in lines[0]["plates"]:
        assert set(p) >= {
            "text",
            "confidence",
            "bbox",
            "country",
            "country_score",
            "country_runner_up",
            "alternatives",
        }
        assert len(p["bbox"]) == 4 and 0 <= p["confidence"] <= 1 and 0 <= p["country_score"] <= 1
        assert p["country_runner_up"] is None or set(p["country_runner_up"]) == {"country", "score"}
    assert "error" in lines[1] and "plates" not in lines[1]
