"""Two-line plates: split into rows at the gap, each row read at the reader's full input size."""

import random

import numpy as np
from anpr.ocr import decode
from anpr.ocr import tflite_engine as te
from anpr.ocr.preprocess import READER_H, READER_W
from anpr.ocr.render.plate import make_plate
from anpr.ocr.rows import TWO_LINE_ASPECT, find_gap, row_input, rows_box, split_rows
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

    def spy(crop, country, cues, offsets=(0,)):
        calls.append(crop.size)
        return real(crop, country, cues, offsets)

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
    monkeypatch.setattr(engine, "_read_rows", lambda crop, country, cues, offsets=(0,): nonsense)
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


def test_a_flat_two_line_box_is_grown_about_its_centre_to_a_two_line_shape():
    # GIVEN a detector box 2:1 (it missed part of a row), one of a two-line shape, one of a one-line plate
    flat, square, wide = (100, 50, 60, 30), (100, 50, 60, 48), (100, 50, 200, 44)
    # WHEN the row pass's cut is asked for
    x, y, w, h = rows_box(flat)
    # THEN the flat box grows to a two-line plate's shape about the same centre; the others keep theirs
    assert (x, w) == (100, 60) and abs(w / h - TWO_LINE_ASPECT) < 1e-9 and abs((y + h / 2) - 65) < 1e-9
    assert rows_box(square) is None and rows_box(wide) is None


def test_the_row_cut_moves_by_the_offset_asked():
    # GIVEN a two-row plate WHEN it is cut at the gap and a pixel below and above it
    plate = _two_rows()
    heights = [split_rows(plate, offset)[0].height for offset in (0, 1, -1)]
    # THEN the top row grows and shrinks by that pixel, and an offset never cuts outside the crop
    assert heights[1] == heights[0] + 1 and heights[2] == heights[0] - 1
    top, bottom = split_rows(plate, 500)
    assert top.height <= plate.height and bottom.height >= 1


def test_row_gap_offsets_start_with_the_gap_found():
    # GIVEN the engine's settings THEN the gap found is read first, and at most two more cuts
    assert te.ROW_GAP_OFFSETS[0] == 0 and len(te.ROW_GAP_OFFSETS) <= 3
