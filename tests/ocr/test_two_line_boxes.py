"""Large two-line plates found row by row: a box that holds one row is grown to the plate, two
boxes that hold its two rows are read as one plate, and the plate's box is reported."""

import random

import numpy as np
from anpr.ocr import decode
from anpr.ocr import tflite_engine as te
from anpr.ocr.preprocess import READER_W, iou
from anpr.ocr.render.plate import make_plate
from PIL import Image

ALPHABET = decode.ALPHABET


def _scene(text: str = "MABC123", seed: int = 3, scale: float = 0.4):
    """A rendered two-line plate (280×200 mm drawn at ``scale`` px/mm) on a plain grey car body;
    returns the image, the plate's box and its top and bottom rows' boxes."""
    plate, _text, _c, variant = make_plate(text, "BE", random.Random(seed))
    assert variant == "be_moto"
    plate = plate.resize((round(plate.width * scale), round(plate.height * scale)), Image.BILINEAR)
    img = Image.new("RGB", (640, 480), (90, 95, 100))
    x, y = 250, 200
    img.paste(plate, (x, y))
    w, h = plate.size
    return img, (x, y, w, h), (x, y, w, h * 0.5), (x, y + h * 0.5, w, h * 0.5)


def _probs(top: str, bottom: str) -> np.ndarray:
    """Reader output for ``top`` in the input's left half and ``bottom`` in its right half."""
    steps = READER_W // 4
    p = np.full((steps, len(ALPHABET) + 1), 1e-4, dtype=np.float32)
    p[:, -1] = 1.0  # blank
    for start, chars in ((2, top), (steps // 2 + 2, bottom)):
        for k, ch in enumerate(chars):
            t = start + 2 * k
            p[t, -1] = 1e-4
            p[t, ALPHABET.index(ch)] = 1.0
    return p / p.sum(axis=1, keepdims=True)


def test_side_by_side_rows_decode_against_two_line_formats_only():
    # GIVEN rows read side by side: "M" + two letters on top (the third missed), "123" below
    probs = _probs("MAB", "123")
    # WHEN decoded as one line, "MAB123" fits Belgium's 1973 one-line format LLL-DDD
    assert decode.read(probs).format_id == "BE/old_1973"
    # THEN decoded as two halves it is a two-line reading and never takes a one-line format
    r = decode.read_halves(probs)
    assert r.lines == 2
    assert r.format_id != "BE/old_1973"


def test_a_box_holding_the_top_row_is_grown_to_the_plate(engine):
    # GIVEN a large motorcycle plate whose detector box holds only its top row
    img, plate_box, top, _bottom = _scene()
    # WHEN the box is read
    out = engine._read_boxes(img, [(0.9, top)], None)
    # THEN the whole plate is read and reported with a box around both rows
    assert [p.text for p in out] == ["MABC123"]
    assert iou(out[0].bbox, plate_box) > 0.6


def test_a_box_holding_the_bottom_row_is_grown_upwards(engine):
    img, plate_box, _top, bottom = _scene("MKLP508", seed=5)
    out = engine._read_boxes(img, [(0.9, bottom)], None)
    assert [p.text for p in out] == ["MKLP508"]
    assert iou(out[0].bbox, plate_box) > 0.6


def test_two_boxes_holding_the_two_rows_are_one_plate(engine, monkeypatch):
    # GIVEN the two rows found as two boxes, with growing a single row switched off
    img, plate_box, top, bottom = _scene("MXYZ942", seed=8)
    monkeypatch.setattr(engine, "_grow_row_box", lambda *a, **k: None)
    # WHEN both are read
    out = engine._read_boxes(img, [(0.9, top), (0.8, bottom)], None)
    # THEN one plate comes out, read in full, with the plate's box
    assert [p.text for p in out] == ["MXYZ942"]
    assert iou(out[0].bbox, plate_box) > 0.6


def test_a_one_line_plate_is_not_grown_into_the_text_below_it(engine):
    # GIVEN a Belgian one-line plate with a dealer's line of text right under it
    plate, text, *_ = make_plate("1ABC234", "BE", random.Random(1))
    plate = plate.resize((plate.width // 3, plate.height // 3))
    img = Image.new("RGB", (640, 480), (90, 95, 100))
    img.paste(plate, (200, 200))
    dealer, *_ = make_plate("2XYZ345", "BE", random.Random(2))
    img.paste(dealer.resize((plate.width, plate.height)), (200, 200 + plate.height + 2))
    box = (200, 200, plate.width, plate.height)
    # WHEN its box is read
    out = engine._read_boxes(img, [(0.9, box)], None)
    # THEN it stays the one-line plate it is
    assert [p.text for p in out] == [text] and out[0].bbox == box


def test_stacked_boxes_need_a_two_line_shape_and_overlapping_widths():
    # two rows of a plate: stacked, same width, small gap → their union
    assert te._stack((10, 10, 90, 30), (12, 42, 86, 30)) == (10, 10, 90, 62)
    # side by side, or one far below the other, or one inside the other: not one plate
    assert te._stack((10, 10, 90, 30), (120, 10, 90, 30)) is None
    assert te._stack((10, 10, 90, 30), (10, 80, 90, 30)) is None
    assert te._stack((10, 10, 90, 60), (20, 20, 60, 20)) is None
    # two one-line plates stacked make a union too flat for a two-line plate
    assert te._stack((10, 10, 220, 48), (10, 60, 220, 48)) is None


def test_holds_allows_one_changed_character():
    assert te._holds("MABC123", "MABC", at_start=True)
    assert te._holds("MABC123", "MA8C", at_start=True)
    assert te._holds("MABC123", "123", at_start=False)
    assert not te._holds("MABC123", "M8BD", at_start=True)
    assert not te._holds("MABC123", "123", at_start=True)


class _Zeros:
    """A detector stand-in: its output is ignored (``decode_detections`` is replaced)."""

    def __call__(self, x):
        return np.zeros((1, x.shape[1] // 8, x.shape[2] // 8, 5), dtype=np.float32)


def _engine_finding(monkeypatch, coarse: list, fine: list) -> te.TfliteEngine:
    """An engine whose coarse detector scale finds ``coarse`` and whose fine scale finds ``fine``."""
    per_call = iter([coarse, fine])
    monkeypatch.setattr(te, "decode_detections", lambda *a, **k: next(per_call))
    return te.TfliteEngine([((240, 320), _Zeros()), ((368, 480), _Zeros())], None, None, 0.0)


def test_a_large_plate_keeps_the_coarse_scales_box(monkeypatch):
    # GIVEN a plate a fifth of the image high (96 px of 480), boxed too narrow by the fine scale (more confident)
    img = Image.new("RGB", (640, 480))
    coarse, fine = (100.0, 200.0, 420.0, 96.0), (160.0, 204.0, 330.0, 90.0)
    engine = _engine_finding(monkeypatch, [(0.8, coarse)], [(0.9, fine)])
    # WHEN plates are detected THEN the coarse box (the whole plate) is kept, with the best score
    assert engine.detect(img) == [(0.9, coarse)]


def test_a_small_plate_keeps_the_more_confident_box(monkeypatch):
    # GIVEN a plate 30 px high found at both scales
    img = Image.new("RGB", (640, 480))
    coarse, fine = (100.0, 200.0, 140.0, 30.0), (104.0, 201.0, 132.0, 29.0)
    engine = _engine_finding(monkeypatch, [(0.8, coarse)], [(0.9, fine)])
    # THEN the more confident box stays, as before
    assert engine.detect(img) == [(0.9, fine)]
