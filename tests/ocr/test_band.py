"""The EU band: found by colour on the reader's crop, its letters cut for the reader, and the
band's country as a cue for the country's score."""

import itertools
import random

import numpy as np
import pytest
from anpr.ocr import decode
from anpr.ocr.band import band_input, band_letters, code_posterior, find_band
from anpr.ocr.ctc import label_log_likelihoods
from anpr.ocr.grammar import default_grammar
from anpr.ocr.preprocess import ALPHABET, BLANK, NUM_CLASSES, READER_H, READER_W
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


def _steps(*rows: dict[str, float]) -> np.ndarray:
    """Reader output (T, classes): each step's probability mass on the named characters ("-" is
    the CTC blank), the rest spread evenly."""
    probs = np.zeros((len(rows), NUM_CLASSES))
    for t, row in enumerate(rows):
        for ch, p in row.items():
            probs[t, BLANK if ch == "-" else ALPHABET.index(ch)] = p
        rest = 1.0 - probs[t].sum()
        probs[t][probs[t] == 0] = rest / np.count_nonzero(probs[t] == 0)
    return probs


def test_ctc_likelihood_of_a_label_is_the_sum_over_its_alignments():
    # GIVEN a short random reader output and two labels
    rng = np.random.default_rng(3)
    probs = rng.dirichlet(np.ones(NUM_CLASSES), size=4)
    labels = [[ALPHABET.index("A")], [ALPHABET.index("A"), ALPHABET.index("A")]]
    # WHEN their CTC log-likelihoods are computed
    got = np.exp(label_log_likelihoods(np.log(probs), labels, BLANK))

    # THEN each equals the summed probability of every step path that collapses to it
    def collapse(path):
        out = [k for j, k in enumerate(path) if k != BLANK and (j == 0 or k != path[j - 1])]
        return out

    want = [0.0, 0.0]
    for path in itertools.product(range(NUM_CLASSES), repeat=4):
        for i, lab in enumerate(labels):
            if collapse(path) == lab:
                want[i] += float(np.prod([probs[t, k] for t, k in enumerate(path)]))
    assert got == pytest.approx(want, rel=1e-6)


def test_a_band_read_with_its_first_letter_half_cut_is_still_its_code():
    # GIVEN a band read "IH", its first letter only faintly a B ("BIH" cut at the band's edge)
    probs = _steps({"B": 0.2, "-": 0.7}, {"I": 0.9}, {"-": 0.9}, {"H": 0.9}, {"-": 0.9})
    codes = default_grammar().band_codes()
    # WHEN the listed codes are scored against the reader's output
    post = code_posterior(probs, codes, ALPHABET, BLANK)
    # THEN Bosnia's BIH comes out, not nothing (greedy reading "IH" is no listed code)
    assert max(post, key=post.get) == "BIH" and post["BIH"] > 0.5


def test_letters_that_spell_no_listed_code_give_no_band():
    # GIVEN a blue sticker's letters read confidently as "XQ"
    probs = _steps({"X": 0.95}, {"-": 0.95}, {"Q": 0.95}, {"-": 0.95})
    # THEN no band code gets the reading's probability
    post = code_posterior(probs, default_grammar().band_codes(), ALPHABET, BLANK)
    assert sum(post.values()) < 0.2


def test_older_band_codes_name_their_country():
    # GIVEN the UK's plates, whose bands say UK (since 2021) or GB (before)
    g = default_grammar()
    # THEN both codes are listed and name the UK
    assert {"UK", "GB"} <= set(g.band_codes())
    assert g.band_country("GB") == g.band_country("UK") == "UK"


def test_a_doubtful_band_weighs_its_codes_by_how_likely_each_is():
    g = default_grammar()
    # GIVEN a string both France's and Italy's formats fit, and a band read as F or I
    sure_f = g.country_scores("AB123CD", {"bands": {"F": 1.0}})
    doubtful = g.country_scores("AB123CD", {"bands": {"F": 0.45, "I": 0.55}})
    sure_i = g.country_scores("AB123CD", {"bands": {"I": 1.0}})
    score = lambda guesses, c: next((x.score for x in guesses if x.country == c), 0.0)
    without = g.country_scores("AB123CD")
    # THEN a sure band decides; a doubtful one moves each country part of the way
    assert sure_f[0].country == "FR" and sure_i[0].country == "IT"
    assert score(without, "IT") < score(doubtful, "IT") < score(sure_i, "IT")
    assert score(sure_i, "FR") < score(doubtful, "FR") < score(sure_f, "FR")


def test_a_band_used_as_the_decoding_hint_is_not_counted_twice_for_the_country():
    # GIVEN reader output for "AB123CD" (France's and Italy's format) and a band read as I
    probs = _steps(*[{ch: 0.97} if ch != "-" else {"-": 0.97} for ch in "A-B-1-2-3-C-D-"])
    cues = {"bands": {"I": 0.9, "F": 0.1}}
    alone = decode.read(probs, None, cues=dict(cues))
    # WHEN the band's country is also the decoding hint (as the engine passes it)
    hinted = decode.read(probs, "IT", cues={**cues, "hint_from_band": True})
    # THEN the country's score is the band's alone, not boosted as a camera's hint would be
    assert hinted.text == alone.text == "AB123CD"
    assert hinted.countries == alone.countries
    assert decode.read(probs, "IT", cues=dict(cues)).countries[0][1] > alone.countries[0][1]
