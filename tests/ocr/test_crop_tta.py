"""Test-time crop augmentation: each detected box is read at a few paddings and the readings vote."""

import random

from anpr.ocr import tflite_engine as te
from anpr.ocr.render import render_snapshot
from anpr.ocr.render.scene import expand_box


def test_default_padding_is_exactly_the_training_crop():
    # GIVEN a box partly outside the frame and one inside
    for box in [(-5.0, 3.2, 120.0, 30.0), (200.4, 150.7, 90.2, 21.9)]:
        # THEN the first variant cuts the same crop as the training pipeline
        mx, my = te.CROP_VARIANTS[0]
        assert te._pad_box(box, (640, 480), mx, my) == expand_box(box, (640, 480))


def test_padding_variants_nest_and_stay_in_the_frame():
    box = (600.0, 460.0, 80.0, 30.0)
    tight = te._pad_box(box, (640, 480), 0.0, 0.0)
    loose = te._pad_box(box, (640, 480), 0.12, 0.25)
    assert tight[0] >= loose[0] and tight[1] >= loose[1]
    assert loose[2] <= 640 and loose[3] <= 480 and tight[2] <= 640 and tight[3] <= 480


def test_read_box_votes_across_paddings(engine, monkeypatch):
    # GIVEN a rendered snapshot and its true box
    img, box = render_snapshot("1ABC234", "BE", random.Random(3))
    calls = []
    orig = engine._read_crop

    def spy(crop, aspect=None, country=None, **kw):
        calls.append(crop.size)
        return orig(crop, aspect, country, **kw)

    monkeypatch.setattr(engine, "_read_crop", spy)
    # WHEN the early exit is disabled, every padding is read
    monkeypatch.setattr(te, "TTA_SKIP_CONFIDENCE", 2.0)
    r = engine.read_box(img, box, "BE")
    assert len(calls) == len(te.CROP_VARIANTS) and len(set(calls)) == len(te.CROP_VARIANTS)
    # THEN the winning reading is one of the per-padding readings
    assert r is not None and r.text
    # AND with a single variant only the training crop is read
    calls.clear()
    one = engine.read_box(img, box, "BE", te.CROP_VARIANTS[:1])
    assert len(calls) == 1 and one is not None


def test_confident_first_read_skips_the_extra_paddings(engine, monkeypatch):
    img, box = render_snapshot("1ABC234", "BE", random.Random(3))
    calls = []
    orig = engine._read_crop

    def spy(crop, aspect=None, country=None, **kw):
        calls.append(1)
        return orig(crop, aspect, country, **kw)

    monkeypatch.setattr(engine, "_read_crop", spy)
    monkeypatch.setattr(te, "TTA_SKIP_CONFIDENCE", 0.0)
    assert engine.read_box(img, box, "BE") is not None
    assert len(calls) == 1
