"""The EU band: found by colour on the reader's crop, its letters cut for the reader, and the
band's country as a cue for the country's score."""

import random

import pytest
from anpr.ocr.band import band_input, band_letters, find_band
from anpr.ocr.grammar import default_grammar
from anpr.ocr.preprocess import READER_H, READER_W
from anpr.ocr.render.formats import Layout
from anpr.ocr.render.plate import draw_plate
from anpr.ocr.render.scene import crop_around
from PIL import Image


def _crop(band: str, night: bool = False, seed: int = 1) -> Image.Image:
    rng = random.Random(seed)
    plate = draw_plate(Layout((("AB", "123", "CD"),), "-"), "generic", rng, band=band)
    return crop_around(plate, rng, night, (40, 60))


def test_the_band_is_found_at_the_left_of_a_plate_that_has_one():
    # GIVEN day crops of plates with an EU band
    crops = [_crop("PL", seed=s) for s in range(10)]
    found = [(c.width, find_band(c)) for c in crops]
    # THEN the band is found on most of them, in the crop's left part, taller than wide
    boxes = [(w, b) for w, b in found if b is not None]
    assert len(boxes) >= 8
    for w, (x0, y0, x1, y1) in boxes:
        assert x1 <= 0.3 * w and y1 - y0 > x1 - x0


def test_no_band_on_a_plate_without_one_or_at_night():
    # GIVEN a plate drawn without band, and a night (infrared, grey) crop of one with a band
    # THEN no band is claimed on either
    assert all(find_band(_crop("", seed=s)) is None for s in range(6))
    assert all(band_letters(_crop("D", night=True, seed=s)) is None for s in range(6))


def test_band_letters_become_a_reader_input_dark_on_light():
    # GIVEN a crop with a band
    letters = band_letters(_crop("NL", seed=3))
    assert letters is not None
    # WHEN it is made a reader input
    x = band_input(letters)
    # THEN it has the reader's shape and is mostly light (letters inverted to dark on light)
    assert x.shape == (READER_H, READER_W) and float(x.mean()) > 0.5


def test_every_listed_country_has_a_distinct_band_code():
    g = default_grammar()
    codes = [c.band for c in g.countries.values()]
    assert len(codes) == len(set(codes))
    for code, c in g.countries.items():
        assert g.band_country(c.band) == code
    assert g.band_country("ZZZ") is None


@pytest.mark.parametrize(("band", "country"), [("L", "LU"), ("D", "DE"), ("CH", "CH")])
def test_a_band_read_on_the_plate_settles_a_string_that_fits_several_countries(band, country):
    g = default_grammar()
    # GIVEN AB1234, which fits Luxembourg and looser German, Swiss... formats
    without = g.country_scores("AB1234")
    assert len(without) >= 2
    # WHEN the band's letters were read
    guesses = g.country_scores("AB1234", {"band": band})
    # THEN the band's country wins clearly, if the text fits its formats at all
    if any(x.country == country for x in without):
        assert guesses[0].country == country and guesses[0].score > 0.8
