"""Detector boxes refined by a second look: a box that holds its plate loosely (a small plate in a
wide frame) is brought to the plate by the detector run again on a cut around it, and the plate
is read and reported at the refined box; a box with no plate in it, or one the detector is unsure
of, stays as it is."""

import random

import pytest
from anpr.ocr import tflite_engine as te
from anpr.ocr.preprocess import iou
from anpr.ocr.render.plate import make_plate
from PIL import Image


def _wide_frame(text: str, country: str, seed: int, width: int = 84, at: tuple[int, int] = (600, 400)):
    """A plate ``width`` px wide on a car body in a 1280×720 frame (a small plate for the frame-wide
    detector runs)."""
    plate, drawn, _c, _variant = make_plate(text, country, random.Random(seed))
    plate = plate.resize((width, round(plate.height * width / plate.width)), Image.BILINEAR)
    img = Image.new("RGB", (1280, 720), (70, 75, 85))
    img.paste(
        Image.new("RGB", (width * 3, plate.height * 5), (150, 30, 30)),
        (at[0] - width, at[1] - 2 * plate.height),
    )
    img.paste(plate, at)
    return img, drawn, (*at, *plate.size)


def _loose(box, grow_w: float, grow_h: float, shift: float = 0.0):
    x, y, w, h = box
    return (x - w * (grow_w - 1) / 2 + shift * w, y - h * (grow_h - 1) / 2, w * grow_w, h * grow_h)


@pytest.mark.parametrize(
    ("text", "country", "seed", "grow_w", "shift"),
    [("1ABC234", "BE", 1, 1.6, 0.0), ("AB123CD", "FR", 4, 1.7, -0.3), ("GH12XYZ", "UK", 2, 1.5, 0.25)],
)
def test_a_loose_box_is_brought_to_its_plate(engine, text, country, seed, grow_w, shift):
    # GIVEN a small plate in a wide frame and a box around it much wider than the plate (it would
    # not count as found: IoU under 0.5), some off centre
    img, _drawn, truth = _wide_frame(text, country, seed)
    loose = _loose(truth, grow_w, 1.4, shift)
    assert iou(loose, truth) < 0.5
    # WHEN the box is refined
    refined = engine.refine(img.convert("L"), 0.8, loose)
    # THEN it is closer to the plate, and matches it
    assert iou(refined, truth) > iou(loose, truth) + 0.1
    assert iou(refined, truth) >= 0.5


def test_the_read_reports_the_refined_box(engine, monkeypatch):
    # GIVEN a frame where the detector's box holds the plate loosely
    img, drawn, truth = _wide_frame("1ABC234", "BE", 1)
    loose = _loose(truth, 1.6, 1.4)
    monkeypatch.setattr(engine, "detect", lambda image, fallback=False: [] if fallback else [(0.8, loose)])
    # WHEN the frame is read
    out = engine.read(img)
    # THEN the plate is read, reported at a box that matches it
    assert [p.text for p in out] == [drawn]
    assert iou(out[0].bbox, truth) >= 0.55
    assert iou(loose, truth) < 0.5


def test_a_box_with_no_plate_in_it_is_kept(engine):
    # GIVEN a box over a plain car body
    img, _drawn, _truth = _wide_frame("1ABC234", "BE", 1)
    box = (100.0, 100.0, 120.0, 30.0)
    # WHEN refined, THEN it is the same box
    assert engine.refine(img.convert("L"), 0.8, box) == box


def test_a_box_the_detector_is_unsure_of_is_not_refined(engine, monkeypatch):
    # GIVEN a loose box around a plate, scored under REFINE_MIN_SCORE
    img, _drawn, truth = _wide_frame("1ABC234", "BE", 1)
    loose = _loose(truth, 1.8, 1.4)
    runs = []
    monkeypatch.setattr(engine, "refiner", lambda x: runs.append(x))
    # WHEN refined, THEN it is kept as it is, without a detector run
    assert engine.refine(img.convert("L"), te.REFINE_MIN_SCORE - 0.01, loose) == loose
    assert runs == []
