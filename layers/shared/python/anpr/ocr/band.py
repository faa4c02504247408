"""The EU band: the blue strip at a plate's left whose white letters (B, NL, D, PL, ...) name the
country. Found by colour on the reader's crop, its lower part (the letters, under the stars) is
cut, inverted to dark-on-light and read by the same reader as the plate (trained on such cuts:
``training/data.py``). Infrared and grey frames have no blue: no band, the country comes from the
format and colours alone."""

from __future__ import annotations

import numpy as np
from PIL import Image

from anpr.ocr.ctc import label_log_likelihoods
from anpr.ocr.rows import row_input

#: a pixel is band blue when its blue channel exceeds both others by this much (0..255)
BLUE_MARGIN = 28.0
#: the band is searched for in this leftmost fraction of the crop
SEARCH_WIDTH = 0.3
#: a column belongs to the band when this fraction of its pixels is blue
COLUMN_BLUE = 0.3
#: the band's letters start this far down the blue strip (the stars are above)
LETTERS_FROM = 0.5
#: the crop has margins above and below the plate: a blue strip taller than this share of the crop
#: is the car's paint around the plate, not a band
MAX_HEIGHT = 0.95
#: a band narrower than this many pixels cannot carry readable letters
MIN_WIDTH_PX = 4


def _blue(a: np.ndarray) -> np.ndarray:
    r, g, b = a[..., 0], a[..., 1], a[..., 2]
    return (b - np.maximum(r, g) > BLUE_MARGIN) & (b > 70)


def find_band(crop: Image.Image) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) of the blue band in ``crop``, or None."""
    w, h = crop.size
    if w < 16 or h < 6:
        return None
    a = np.asarray(crop.convert("RGB"), dtype=np.float32)
    blue = _blue(a[:, : max(1, int(w * SEARCH_WIDTH))])
    cols = np.flatnonzero(blue.mean(axis=0) >= COLUMN_BLUE)
    if len(cols) == 0:
        return None
    # the longest run of adjacent band columns
    runs = np.split(cols, np.flatnonzero(np.diff(cols) > 1) + 1)
    run = max(runs, key=len)
    x0, x1 = int(run[0]), int(run[-1]) + 1
    if x1 - x0 < MIN_WIDTH_PX:
        return None
    rows = np.flatnonzero(blue[:, x0:x1].mean(axis=1) >= 0.5)
    if len(rows) < 4:
        return None
    y0, y1 = int(rows[0]), int(rows[-1]) + 1
    if (y1 - y0) < 1.2 * (x1 - x0):  # a band is taller than wide: this is something else blue
        return None
    if y1 - y0 > MAX_HEIGHT * h:  # blue from the crop's top to its bottom: a blue car, not a band
        return None
    return x0, y0, x1, y1


def band_letters(crop: Image.Image) -> Image.Image | None:
    """The band's lower part (its letters), white on blue turned dark on light; None without band."""
    box = find_band(crop)
    if box is None:
        return None
    x0, y0, x1, y1 = box
    cut = crop.crop((x0, y0 + int((y1 - y0) * LETTERS_FROM), x1, y1)).convert("L")
    return Image.eval(cut, lambda v: 255 - v)


def band_input(letters: Image.Image) -> np.ndarray:
    """Reader input for the band's letters (scaled to the reader's height, padded, as a row)."""
    return row_input(letters)


#: a band's letters read as no listed code (a dealer's sticker, a blue logo) compete with the codes
#: at this share of their own likelihood: an unlisted reading must be clearly likelier to win
UNLISTED_FACTOR = 0.2


def code_posterior(probs: np.ndarray, codes: list[str], alphabet: str, blank: int) -> dict[str, float]:
    """How probably the reader's output (T, classes) on a band's letters spells each listed band
    code: a posterior over the codes and the reading as read (whose share, when that is no listed
    code, is left out: the values then sum to less than 1). Scoring every code (not reading the
    letters and looking the string up) keeps a band whose first letter is half cut ("IH" of "BIH")
    or misread ("RG" of "BG") for the code it most resembles, and leaves a doubtful letter doubtful
    (F 0.4, I 0.5) instead of deciding it."""
    index = {ch: i for i, ch in enumerate(alphabet)}
    best = probs.argmax(axis=-1)
    raw = [int(c) for j, c in enumerate(best) if c != blank and (j == 0 or c != best[j - 1])]
    raw_text = "".join(alphabet[c] for c in raw)
    labels = [[index[ch] for ch in code] for code in codes]
    extra = raw_text not in codes and bool(raw)
    if extra:
        labels.append(raw)
    ll = label_log_likelihoods(np.log(np.maximum(probs, 1e-9)), labels, blank)
    if extra:
        ll[-1] += np.log(UNLISTED_FACTOR)
    post = np.exp(ll - ll.max())
    post /= post.sum()
    return {code: float(v) for code, v in zip(codes, post)}
