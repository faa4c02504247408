"""Country cues from a crop's colours."""

from anpr.ocr.cues import plate_colours
from PIL import Image, ImageDraw


def _plate(bg, fg, size=(160, 40)) -> Image.Image:
    img = Image.new("RGB", size, bg)
    d = ImageDraw.Draw(img)
    for x in range(30, 150, 16):
        d.rectangle((x, 8, x + 6, 32), fill=fg)
    return img


def test_yellow_plate_is_yellow():
    # GIVEN a Dutch-style plate: black on yellow THEN the background cue says yellow
    assert plate_colours(_plate((245, 195, 20), (20, 20, 20)))["bg"] == "yellow"


def test_belgian_red_on_white_is_red():
    # GIVEN a Belgian-style plate: red characters on white
    cues = plate_colours(_plate((238, 238, 232), (150, 15, 40)))
    # THEN white background with red characters
    assert cues == {"bg": "white", "fg_red": True}


def test_black_on_white_in_a_colour_frame_is_not_red():
    # GIVEN a black-on-white plate cut with a bit of (blue) car body around it
    img = Image.new("RGB", (200, 60), (30, 60, 160))
    img.paste(_plate((238, 238, 232), (20, 20, 22)), (20, 10))
    # THEN white background, black characters
    assert plate_colours(img) == {"bg": "white", "fg_red": False}


def test_a_crop_without_any_colour_gives_no_cue():
    # GIVEN black on white and nothing else: indistinguishable from an infrared frame THEN no cue
    assert plate_colours(_plate((238, 238, 232), (20, 20, 22))) == {"bg": None, "fg_red": None}


def test_infrared_frames_give_no_colour_cue():
    # GIVEN a grey (night / IR) crop of a yellow plate THEN no cue at all: under IR yellow looks white
    grey = _plate((245, 195, 20), (20, 20, 20)).convert("L").convert("RGB")
    assert plate_colours(grey) == {"bg": None, "fg_red": None}


def test_tiny_crops_give_no_cue():
    assert plate_colours(Image.new("RGB", (5, 3), (255, 255, 0))) == {"bg": None, "fg_red": None}
