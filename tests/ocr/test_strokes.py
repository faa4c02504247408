"""Typefaces drawn by the renderer (FE-Schrift-, kenteken-, Charles-Wright-like): every plate
character in every style, mixed into the reader's training data only, and never changing the draws
of data made without them."""

import random

import numpy as np
import pytest
from anpr.ocr.preprocess import ALPHABET
from anpr.ocr.render import fonts
from anpr.ocr.render.plate import make_plate
from anpr.ocr.render.strokes import GLYPHS, STYLES, TRAINING_STYLES, StrokeFont, glyph_mask


def test_every_plate_character_has_a_glyph_in_every_style():
    # GIVEN the reader's alphabet and the drawn styles
    assert set(ALPHABET) <= set(GLYPHS)
    for style in STYLES:
        for ch in ALPHABET:
            # WHEN each character is drawn 40 px high
            m = np.asarray(glyph_mask(ch, style, 40), dtype=np.float32) / 255
            # THEN it has ink, and not a filled box
            assert 0.05 < m.mean() < 0.75, (style.name, ch, m.mean())


def test_the_fe_style_draws_a_narrower_zero_than_its_o():
    fe = next(s for s in STYLES if s.name == "fe")
    # THEN 0 and O differ in width, as on German plates (and the reader must learn both)
    assert glyph_mask("0", fe, 48).width < glyph_mask("O", fe, 48).width


def test_a_drawn_string_is_one_line_of_glyphs_left_to_right():
    font = StrokeFont(STYLES[0], 32)
    one, three = font.mask("A"), font.mask("AAA")
    assert three.height == one.height
    assert 2.5 * one.width < three.width < 3.5 * one.width


def test_without_a_drawn_share_the_random_draws_are_those_made_before_drawn_faces():
    # GIVEN two generators in the same state
    a, b = random.Random(5), random.Random(5)
    # WHEN one picks a plate font (no drawn share) and the other makes the draw the renderer used to
    fonts.pick_plate_font(a)
    paths, weights = zip(*fonts.available_plate_fonts(), strict=True)
    b.choices(paths, weights=weights)
    # THEN both continue identically (data rendered without drawn faces is unchanged)
    assert a.random() == b.random()


def test_a_drawn_share_puts_that_share_of_plates_in_drawn_faces_and_restores_after():
    rng = random.Random(1)
    with fonts.drawn_faces(0.5):
        picks = [fonts.pick_plate_font(rng) for _ in range(400)]
    drawn = [p for p in picks if isinstance(p, StrokeFont)]
    assert 150 < len(drawn) < 250
    # (never in the style kept out of training: it measures how the reader carries over)
    assert {p.style.name for p in drawn} == set(TRAINING_STYLES)
    assert fonts._DRAWN["share"] == 0


@pytest.mark.parametrize("country", ["BE", "DE", "NL", "UK", "PL"])
def test_plates_render_in_a_drawn_face(country):
    # GIVEN every plate drawn in a drawn face
    with fonts.drawn_faces(1.0):
        img, text, c, _ = make_plate(None, country, random.Random(3))
    # THEN the plate has its characters (dark or red ink on a light plate)
    a = np.asarray(img.convert("L"), dtype=np.float32)
    assert img.width > img.height and text and c == country
    assert (a < 120).mean() > 0.03


def test_one_face_for_every_plate_keeps_the_draws():
    a, b = random.Random(9), random.Random(9)
    fonts.use_only_face("kenteken")
    try:
        f = fonts.pick_plate_font(a)
    finally:
        fonts.use_only_face(None)
    fonts.pick_plate_font(b)
    assert isinstance(f, StrokeFont) and f.style.name == "kenteken"
    assert a.random() == b.random()
    with pytest.raises(ValueError):
        fonts.use_only_face("no-such-face.ttf")
