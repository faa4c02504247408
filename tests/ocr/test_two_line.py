"""Two-line plates: split into rows at the gap, each row read at the reader's full input size."""

import random

import numpy as np
from anpr.ocr import decode
from anpr.ocr import tflite_engine as te
from anpr.ocr.preprocess import READER_H, READER_W
from anpr.ocr.render.plate import make_plate
from anpr.ocr.rows import find_gap, row_input, split_rows
from PIL import Image, ImageDraw


def _two_rows(tilt: float = 0.0) -> Image.Image:
    """A plain two-row plate: dark bars as the characters, a clear gap at rows 26-34."""
    img = Image.new("RGB", (84, 60), (240, 240, 235))
    d = ImageDraw.Draw(img)
    for x in range(10, 74, 9):
        d.rectangle((x, 8, x + 4, 25), fill=(20, 20, 20))
        d.rectangle((x, 35, x + 4, 52), fill=(20, 20, 20))
    return img.rotate(tilt, resample=Image.BILINEAR, fillcolor=(240, 240, 235)) if tilt else img


def test_gap_is_found_between_the_rows():
    # GIVEN a two-row plate WHEN its row profile is read THEN the gap lies between the rows
    gap = find_gap(np.asarray(_two_rows().convert("L")))
    assert gap is not None and 25 <= gap <= 35


def test_split_rows_of_a_tilted_plate_keeps_each_row_whole():
    # GIVEN a plate tilted by 6 degrees
    top, bottom = split_rows(_two_rows(6.0))
    # THEN both rows come back, each about half the plate's height
    assert 20 <= top.height <= 40 and 20 <= bottom.height <= 40


def test_row_input_keeps_the_characters_shape():
    # GIVEN a row much less wide than a one-line plate
    row = _two_rows().crop((0, 0, 84, 30))
    a = row_input(row)
    # THEN it fills the reader's input without being stretched to 4:1: padded at the sides
    assert a.shape == (READER_H, READER_W) and a.dtype == np.float32
    assert a[:, :8].std() < 0.05 and a[:, -8:].std() < 0.05


def test_belgian_motorcycle_plate_is_read_by_rows(engine):
    # GIVEN a rendered Belgian motorcycle plate M-ABC / 123, small as in a snapshot
    img, text, _c, variant = make_plate("MABC123", "BE", random.Random(3))
    crop = img.resize((84, 60))
    # WHEN the rows are read alone
    r = engine._read_rows(crop, None, None)
    # THEN they join into the two-line Belgian format
    assert variant == "be_moto" and (r.text, r.format_id, r.country) == (text, "BE/motorcycle", "BE")


def test_crop_reading_keeps_the_better_of_rows_and_side_by_side(engine):
    # GIVEN motorcycle plates whose rows alone sometimes misread (a '1' against the border reads 'L1')
    for seed in range(6):
        img, text, *_ = make_plate("MABC123", "BE", random.Random(seed))
        # WHEN the whole crop is read THEN the valid, more probable reading wins every time
        r = engine.read_crop(img.resize((70, 50)))
        assert (r.text, r.country, r.format_id) == (text, "BE", "BE/motorcycle"), seed


def test_row_pass_runs_only_for_two_line_shapes(engine, monkeypatch):
    # GIVEN a call log on the row pass
    calls = []
    real = engine._read_rows

    def spy(crop, country, cues):
        calls.append(crop.size)
        return real(crop, country, cues)

    monkeypatch.setattr(engine, "_read_rows", spy)
    img, *_ = make_plate("MABC123", "BE", random.Random(1))
    # WHEN a two-line shape and a one-line shape are read
    engine.read_crop(img.resize((84, 60)))
    engine.read_crop(img.resize((240, 52)))
    # THEN only the two-line shape was split into rows
    assert calls == [(84, 60)]


def test_rows_of_a_flat_box_count_only_when_they_fit_a_two_line_format(engine, monkeypatch):
    # GIVEN a box too flat for a two-line plate (2:1, e.g. a US plate) whose rows read as nonsense
    # that the reader is very sure of
    nonsense = decode.Reading("QQQQQQQQ", 1.0, (1.0,) * 8, "UNKNOWN", (), (), False, 0.0, "")
    monkeypatch.setattr(engine, "_read_rows", lambda crop, country, cues: nonsense)
    img, *_ = make_plate("AB123CD", "FR", random.Random(2))
    # WHEN read
    r = engine.read_crop(img.resize((120, 60)))
    # THEN the one-line reading is kept
    assert r.text != "QQQQQQQQ"
    # AND near the one/two-line boundary (4:3) a crop that reads well as one line gets no row pass
    assert engine.read_crop(img.resize((80, 60))).text == "AB123CD"
    # AND for a clearly two-line shape the same rows compete (and here win)
    assert engine.read_crop(img.resize((66, 60))).text == "QQQQQQQQ"


def test_row_pass_constants_bound_the_extra_work():
    # GIVEN the engine's settings THEN the row pass stops before one-line EU plate shapes (4-5:1)
    assert te.TWO_LINE_MAX_ASPECT < te.ROW_PASS_MAX_ASPECT < 3.0
