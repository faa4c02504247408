"""Close-up one-line plates boxed too short: a box that ends inside its plate is grown at that
end and the whole plate is read and reported; a box around a whole plate stays as it is."""

import random

import pytest
from anpr.ocr import tflite_engine as te
from anpr.ocr.preprocess import iou
from anpr.ocr.render.plate import make_plate
from PIL import Image


def _close_up(text: str, country: str, seed: int, scale: float = 0.6, at: tuple[int, int] = (140, 200)):
    """A plate drawn ``scale`` px/mm (a Belgian plate about 310 px wide) on a plain car body."""
    plate, drawn, _c, _variant = make_plate(text, country, random.Random(seed))
    plate = plate.resize((round(plate.width * scale), round(plate.height * scale)), Image.BILINEAR)
    img = Image.new("RGB", (640, 480), (90, 95, 100))
    img.paste(plate, at)
    return img, drawn, (*at, *plate.size)


@pytest.mark.parametrize(
    ("text", "country", "seed"), [("1ABC234", "BE", 1), ("AB123CD", "FR", 4), ("GH12XYZ", "UK", 2)]
)
def test_a_box_that_stops_before_the_plate_s_end_is_grown_to_it(engine, monkeypatch, text, country, seed):
    # GIVEN a close-up plate whose detector box stops short of its last characters (read alone,
    # the box misses them)
    img, drawn, (x, y, w, h) = _close_up(text, country, seed)
    short = (x, y, w * 0.7, h)
    with monkeypatch.context() as m:
        m.setattr(te, "LINE_GROW", 0.0)
        alone = engine._read_boxes(img, [(0.9, short)], None)
    assert len(alone) == 1 and len(alone[0].text) < len(drawn)
    # WHEN the short box is read
    out = engine._read_boxes(img, [(0.9, short)], None)
    # THEN the whole plate is read, and its box reaches the plate's end
    assert [p.text for p in out] == [drawn]
    assert iou(out[0].bbox, (x, y, w, h)) > iou(short, (x, y, w, h))
    assert out[0].bbox[0] + out[0].bbox[2] >= x + w * 0.9


@pytest.mark.parametrize("cut", [0.3, 0.4])
def test_a_box_that_starts_inside_the_plate_is_grown_to_the_left(engine, cut):
    # GIVEN a box that starts 30 or 40 % into the plate (the latter grown twice)
    img, drawn, (x, y, w, h) = _close_up("1ABC234", "BE", 1)
    short = (x + w * cut, y, w * (1 - cut), h)
    # WHEN read, THEN the whole plate is read and the box reaches its start
    out = engine._read_boxes(img, [(0.9, short)], None)
    assert [p.text for p in out] == [drawn]
    assert out[0].bbox[0] <= x + w * 0.1


def test_a_whole_plate_s_box_is_not_grown(engine, monkeypatch):
    # GIVEN a close-up plate boxed whole, on a plain body (no text-like edges beyond its ends)
    img, drawn, box = _close_up("1ABC234", "BE", 1)
    reads = []
    real = engine._read_box
    monkeypatch.setattr(engine, "_read_box", lambda *a, **k: reads.append(a[1]) or real(*a, **k))
    # WHEN it is read
    out = engine._read_boxes(img, [(0.9, box)], None)
    # THEN it is read once, as it is, and no longer cut is read
    assert [p.text for p in out] == [drawn] and out[0].bbox == box
    assert reads == [box]


def test_a_plate_is_not_grown_into_a_neighbouring_line_of_text(engine):
    # GIVEN a plate with a dealer's plate-like text right beside it, on the same line
    img, drawn, (x, y, w, h) = _close_up("1ABC234", "BE", 1, scale=0.4, at=(60, 200))
    other, *_ = make_plate("5KLM678", "BE", random.Random(9))
    img.paste(other.resize((w, h)), (x + w + 4, y))
    # WHEN the plate's own box is read
    out = engine._read_boxes(img, [(0.9, (x, y, w, h))], None)
    # THEN it stays the plate it is (the longer cut reads no format)
    assert [p.text for p in out] == [drawn] and out[0].bbox == (x, y, w, h)
