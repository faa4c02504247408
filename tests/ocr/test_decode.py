import numpy as np
from anpr.ocr import decode
from anpr.ocr.preprocess import ALPHABET, BLANK, NUM_CLASSES


def _probs(steps: list[dict[str, float]]) -> np.ndarray:
    """One CTC step per entry, blanks between characters."""
    rows = []
    for s in steps:
        r = np.full(NUM_CLASSES, 1e-4)
        for ch, p in s.items():
            r[ALPHABET.index(ch)] = p
        rows.append(r / r.sum())
        b = np.full(NUM_CLASSES, 1e-4)
        b[BLANK] = 1.0
        rows.append(b / b.sum())
    return np.stack(rows)


def test_format_aware_decoding_prefers_a_valid_plate_and_keeps_the_misread():
    # GIVEN a reader that slightly prefers '8' over 'B' in 1ABC234
    steps = [
        {"1": 0.99},
        {"A": 0.99},
        {"8": 0.55, "B": 0.44},
        {"C": 0.99},
        {"2": 0.99},
        {"3": 0.99},
        {"4": 0.99},
    ]
    # WHEN decoded
    r = decode.read(_probs(steps))
    # THEN the Belgian-valid reading wins and the raw misread is kept as an alternative
    assert r.text == "1ABC234" and r.country == "BE"
    assert "1A8C234" in r.alternatives
    assert len(r.char_confidences) == 7 and 0.4 < r.char_confidences[2] < 0.5


def test_a_reading_that_fits_no_format_is_kept_with_an_unknown_country():
    # GIVEN a confident reading that no format produces, even with look-alikes swapped
    r = decode.read(_probs([{c: 0.99} for c in "QXQXQXQXQ"]))
    # THEN it is kept as read, marked invalid, country UNKNOWN without candidates
    assert r.text == "QXQXQXQXQ" and not r.valid and r.country == "UNKNOWN" and r.countries == ()


def test_position_class_decides_lookalikes_in_a_french_plate():
    # GIVEN AB-103-CD read as AB-1O3-C0, the reader preferring each look-alike but giving the right one weight
    steps = [{"A": 0.99}, {"B": 0.99}, {"1": 0.99}, {"O": 0.6, "0": 0.35}, {"3": 0.99}]
    steps += [{"C": 0.99}, {"0": 0.6, "D": 0.35}]
    # WHEN decoded
    r = decode.read(_probs(steps))
    # THEN letters and digits go where the French format puts them and the raw reading stays an alternative
    assert r.text == "AB103CD" and r.country == "FR" and r.format_id == "FR/siv"
    assert r.alternatives[0] == "AB1O3C0"


def test_an_emblem_read_as_a_character_is_dropped():
    # GIVEN a Croatian plate ZG (coat of arms) 1234-AB whose coat of arms came out as a doubtful 'W'
    steps = [{"Z": 0.99}, {"G": 0.99}, {"W": 0.5, "H": 0.45}]
    steps += [{c: 0.99} for c in "1234AB"]
    # WHEN decoded
    r = decode.read(_probs(steps))
    # THEN the emblem is not a character of the plate
    assert r.text == "ZG1234AB" and r.valid and len(r.char_confidences) == 8


def test_country_comes_with_a_score_and_a_runner_up():
    # GIVEN an Italian-looking plate AB 123 CD (also French SIV, and a few others)
    r = decode.read(_probs([{c: 0.99} for c in "AB123CD"]))
    # THEN the most likely country (France, by the assumed traffic mix) with a score and the runner-up
    assert r.countries[0][0] == "FR" and 0.5 < r.country_score < 1.0
    assert r.country_runner_up is not None and r.country_runner_up[1] < r.country_score
    # AND on a yellow plate (no listed format with this shape is yellow) France is less sure
    y = decode.read(_probs([{c: 0.99} for c in "AB123CD"]), cues={"bg": "yellow"})
    assert y.countries[0][1] < r.countries[0][1]


def test_unknown_country_below_the_threshold_keeps_the_best_guess_as_runner_up():
    # GIVEN AB 1234 on a plate of unknown colour (night): Luxembourg, Germany, Switzerland... all fit
    r = decode.read(_probs([{c: 0.99} for c in "AB1234"]))
    # THEN no country is sure enough: UNKNOWN, with the best guess as the runner-up
    assert r.country == "UNKNOWN" and r.countries[0][1] < decode.COUNTRY_MIN_SCORE
    assert r.country_runner_up == r.countries[0] and r.country_score == round(1 - r.countries[0][1], 4)


def test_rows_read_separately_join_into_a_two_line_format():
    # GIVEN the rows of a Belgian motorcycle plate M-ABC / 123, the top row's '8' doubtful
    top = _probs([{"M": 0.99}, {"A": 0.99}, {"8": 0.6, "B": 0.3}, {"C": 0.99}])
    bottom = _probs([{"1": 0.99}, {"2": 0.99}, {"3": 0.99}])
    # WHEN decoded as two lines
    r = decode.read_rows(top, bottom)
    # THEN the two-line Belgian format is found and the letter position settles 8 → B
    assert (r.text, r.country, r.format_id) == ("MABC123", "BE", "BE/motorcycle")


def test_hint_country_breaks_a_tie():
    # GIVEN a plate valid in several countries (ZH 1234: LU, CH, LV...) and a camera hint
    plain = decode.read(_probs([{c: 0.99} for c in "ZH1234"]))
    hinted = decode.read(_probs([{c: 0.99} for c in "ZH1234"]), hint_country="CH")
    # THEN the hint moves the country, not the text
    assert plain.text == hinted.text == "ZH1234" and hinted.country == "CH" and plain.country != "CH"


def _shifted(steps: list[dict[str, float]]) -> np.ndarray:
    """The same reading peaking one step later (a second reader's alignment differs)."""
    p = _probs(steps)
    return np.concatenate([p[-1:], p[:-1]])


def test_two_readers_that_agree_give_the_first_readers_reading():
    # GIVEN two readers reading the same plate the same way, peaking at different steps
    steps = [{c: 0.95} for c in "1ABC234"]
    first, second = _probs(steps), _shifted(steps)
    readings = [decode.read(first), decode.read(second)]
    # WHEN settled THEN it is the first reader's reading, unchanged
    assert decode.agree(readings, [first, second]) is readings[0]


def test_readers_that_differ_settle_on_the_text_both_find_likelier():
    # GIVEN plate 1ABC284: the first reader a little surer of a 3 than of the 8, the second sure of the 8
    a = [{c: 0.99} for c in "1ABC2"] + [{"3": 0.55, "8": 0.44}, {"4": 0.99}]
    b = [{c: 0.99} for c in "1ABC2"] + [{"8": 0.9, "3": 0.05}, {"4": 0.99}]
    pa, pb = _probs(a), _shifted(b)
    ra, rb = decode.read(pa), decode.read(pb)
    assert (ra.text, rb.text) == ("1ABC234", "1ABC284") and ra.valid and rb.valid
    # WHEN settled
    got = decode.agree([ra, rb], [pa, pb])
    # THEN the text the two readers together find likelier wins (0.44 × 0.9 against 0.55 × 0.05),
    # as the second reader read it, with the first reader's text as its first alternative
    assert (got.text, got.confidence, got.country) == (rb.text, rb.confidence, rb.country)
    assert got.alternatives[0] == "1ABC234"


def test_a_text_that_fits_no_format_must_be_clearly_likelier_to_win():
    # GIVEN one reader's valid Belgian reading and another's equally likely invalid one
    a = [{c: 0.9} for c in "1ABC234"]
    b = [{c: 0.9} for c in "1ABC23Q"]
    pa, pb = _probs(a), _probs(b)
    ra, rb = decode.read(pa), decode.read(pb)
    assert ra.valid and not rb.valid and rb.text == "1ABC23Q"
    # WHEN settled (each reader finds its own text about as likely as the other finds its own)
    got = decode.agree([rb, ra], [pb, pa])
    # THEN the valid reading wins: the invalid one pays the same penalty as in one reader's decoding
    assert got.text == "1ABC234"


def test_a_reader_that_reads_nothing_leaves_the_others_reading():
    # GIVEN a first reader that reads nothing and a second that reads a plate
    blank = np.full((8, NUM_CLASSES), 1e-4)
    blank[:, BLANK] = 1.0
    pb = _probs([{c: 0.95} for c in "1ABC234"])
    got = decode.agree([decode.read(blank), decode.read(pb)], [blank, pb])
    # THEN the second reader's reading is kept
    assert got.text == "1ABC234"
