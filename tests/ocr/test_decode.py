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


def test_unknown_format_is_other():
    # GIVEN a confident reading that fits no known format
    r = decode.read(_probs([{c: 0.99} for c in "9Q9Q"]))
    # THEN it is kept as read with country OTHER
    assert r.text == "9Q9Q" and r.country == "OTHER"
