"""Turned plates: a one-line plate photographed at a slant comes out as a squarish crop whose text
runs uphill or downhill. Its text line's angle is found, the crop is turned level, cut to the text
and straightened, and read as one line; upright plates, one- and two-line, are left as they are."""

import random

import pytest
from anpr.ocr import straighten
from anpr.ocr import tflite_engine as te
from anpr.ocr.render.plate import make_plate
from PIL import Image

PLATES = [
    ("1ABC234", "BE", 1),
    ("AB123CD", "FR", 2),
    ("GH12XYZ", "UK", 3),
    ("XTR54F", "NL", 4),
    ("B-MW1234", "DE", 5),
]


def _plate(text: str, country: str, seed: int, shrink: int = 3) -> tuple[Image.Image, str]:
    plate, drawn, _c, _v = make_plate(text, country, random.Random(seed))
    return plate.resize((plate.width // shrink, plate.height // shrink), Image.BILINEAR), drawn


def _turned(plate: Image.Image, degrees: float) -> Image.Image:
    """The plate turned ``degrees`` counter-clockwise on a grey body, cut to its upright box (as a
    detector boxes it)."""
    return plate.rotate(degrees, resample=Image.BILINEAR, expand=True, fillcolor=(90, 90, 95))


@pytest.mark.parametrize("degrees", [-40, -25, -12, 12, 25, 40])
def test_the_text_line_angle_is_found(degrees):
    # GIVEN a one-line plate turned by a known angle
    plate, _ = _plate("1ABC234", "BE", 7)
    crop = _turned(plate, degrees)
    # WHEN its text angle is measured
    angle, gain = straighten.text_angle(crop)
    # THEN turning it by that angle makes it level again (within the 2° search step), and its edges
    # project much more tightly there than upright
    assert abs(angle + degrees) <= 2.5
    assert gain >= straighten.MIN_GAIN


@pytest.mark.parametrize(("text", "country", "seed"), PLATES + [("M-ABC123", "BE", 6)])
def test_an_upright_plate_is_left_as_it_is(text, country, seed):
    # GIVEN an upright plate, one-line or a two-line motorcycle plate
    plate, _ = _plate(text, country, seed)
    # WHEN it is looked at for a slant
    # THEN none is found: it is read as it comes
    assert straighten.turned_line(plate) == []


@pytest.mark.parametrize("how", ["rotate", "shear"])
def test_a_level_cut_holds_the_text_on_one_band(how):
    # GIVEN a plate seen from the side: its text runs downhill 20° while its uprights stay upright
    plate, _ = _plate("AB123CD", "FR", 2)
    w, h = plate.size
    k = 0.36  # tan 20°
    sheared = plate.transform(
        (w, h + int(k * w) + 1), Image.AFFINE, (1, 0, 0, -k, 1, 0), Image.BILINEAR, fillcolor=(90, 90, 95)
    )
    angle, _gain = straighten.text_angle(sheared)
    assert abs(angle - 20) <= 2.5
    # WHEN it is made level either way
    cut = straighten.level_cut(sheared, angle, how)
    # THEN the cut is a one-line plate's shape again (the text band, not the whole slanted crop)
    assert cut.width / cut.height >= 3.0
    assert straighten.text_angle(cut)[0] == 0 or straighten.text_angle(cut)[1] < straighten.MIN_GAIN


def _read_all(engine, monkeypatch, on: bool, items) -> int:
    monkeypatch.setattr(te, "TURNED_PASS", on)
    return sum(engine.read_crop(crop).text == drawn for crop, drawn in items)


def test_turned_plates_are_read(engine, monkeypatch):
    # GIVEN five countries' one-line plates turned 35° one way and 20° the other, each boxed upright
    # (squarer than a plate: taken for two lines as they come)
    items = []
    for text, country, seed in PLATES:
        plate, drawn = _plate(text, country, seed)
        items += [(_turned(plate, -35), drawn), (_turned(plate, 20), drawn)]
    # WHEN they are read with the turned pass and without it
    with_pass = _read_all(engine, monkeypatch, True, items)
    without = _read_all(engine, monkeypatch, False, items)
    # THEN the pass reads nearly all of them exactly (one M read as H was seen); without it few are
    assert with_pass >= 9, with_pass
    assert without <= 3, without


def _frame(text: str, country: str, seed: int, shrink: int, degrees: float) -> tuple[Image.Image, str]:
    plate, drawn = _plate(text, country, seed, shrink)
    turned = plate.convert("RGBA").rotate(degrees, resample=Image.BILINEAR, expand=True)
    img = Image.new("RGB", (640, 480), (70, 75, 85))
    img.paste(Image.new("RGB", (360, 220), (150, 30, 30)), (140, 150))
    img.paste(turned, (200, 200), turned)
    return img, drawn


def test_turned_plates_in_a_frame_are_read(engine, monkeypatch):
    # GIVEN frames each holding one plate turned 15° one way or 18° the other, at two sizes (the
    # detector boxes it upright)
    frames = [
        _frame(text, country, seed, shrink, degrees)
        for text, country, seed in PLATES
        for shrink in (2, 3)
        for degrees in (-15, 18)
    ]

    def read(on: bool) -> int:
        monkeypatch.setattr(te, "TURNED_PASS", on)
        return sum(drawn in [p.text for p in engine.read(img)] for img, drawn in frames)

    # WHEN the frames are read, THEN every plate is read exactly with the pass, and fewer without
    assert read(True) == len(frames)
    assert read(False) < len(frames)


def test_pieces_side_by_side_on_a_slant_are_one_plate():
    # GIVEN two boxes side by side whose centres lie on a 20° slope (pieces of one turned plate)
    a, b = (100, 100, 80, 40), (170, 130, 80, 40)
    # THEN their union is the plate's box
    assert te._side_by_side(a, b) == (100, 100, 150, 70)
    assert te._side_by_side(b, a) == (100, 100, 150, 70)
    # AND boxes on one level (an upright plate's groups), stacked rows, nested boxes, boxes far
    # apart or of very different heights are not pieces of a turned plate
    assert te._side_by_side(a, (185, 102, 80, 40)) is None
    assert te._side_by_side(a, (100, 145, 80, 40)) is None
    assert te._side_by_side(a, (110, 105, 40, 30)) is None
    assert te._side_by_side(a, (300, 160, 80, 40)) is None
    assert te._side_by_side(a, (170, 120, 80, 100)) is None


def test_a_plate_turned_25_to_28_degrees_is_read_whole(engine, monkeypatch):
    # GIVEN frames each holding one plate turned 25° one way or 28° the other: the detector boxes
    # it as two or three pieces along its slanted text
    frames = [
        _frame(text, country, seed, shrink, degrees)
        for text, country, seed in PLATES
        for shrink in (2, 3)
        for degrees in (-25, 28)
    ]

    def read(on: bool) -> int:
        monkeypatch.setattr(te, "TURNED_PASS", on)
        return sum(drawn in [p.text for p in engine.read(img)] for img, drawn in frames)

    # WHEN the frames are read, THEN most plates are read exactly (16 of 20 when this was
    # written), and none without the turned pass
    assert read(True) >= 14
    assert read(False) == 0


def test_two_line_plates_still_read_as_two_lines(engine):
    # GIVEN an upright Belgian motorcycle plate
    plate, drawn = _plate("M-ABC123", "BE", 6, shrink=2)
    # WHEN it is read
    # THEN its two rows are read, not a level cut of one of them
    assert engine.read_crop(plate).text == drawn
