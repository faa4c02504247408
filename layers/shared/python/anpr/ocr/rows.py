"""Two-line plates: find the gap between the two rows of characters, so each row can be read on its
own at the reader's full input size (squeezed side by side, the rows are too small to read well)."""

from __future__ import annotations

import numpy as np
from PIL import Image

from anpr.ocr.preprocess import READER_H, READER_W
from anpr.ocr.preprocess import _stretch as stretch

#: the gap is searched for between these fractions of the crop's height
GAP_SEARCH = (0.3, 0.7)
#: each row keeps this fraction of the crop's height beyond the gap (strokes that reach into it)
ROW_OVERLAP = 0.04
#: a row's width is scaled by this much more than its height before padding (see ``row_input``)
ROW_WIDEN = 1.3
#: row slopes (vertical px per horizontal px) tried when looking for the gap; 0 first, kept on ties
SLOPES = (0.0, -0.08, 0.08, -0.16, 0.16)


#: a two-line plate's usual box shape (w/h), e.g. Belgian motorcycle plates (rendered 280×200 mm)
TWO_LINE_ASPECT = 1.3
#: boxes up to this shape (w/h) may be a two-line plate: they get the row pass (two-line plates whose
#: detector box misses part of a row come out flatter than TWO_LINE_MAX_ASPECT; one-line EU plates
#: are 4-5:1)
ROW_PASS_MAX_ASPECT = 2.2


def rows_box(box: tuple[float, float, float, float]) -> tuple[float, float, float, float] | None:
    """The box the row pass cuts for a detector box (x, y, w, h) a little too flat for a two-line
    plate (it missed part of a row): grown about its centre to a two-line plate's shape. None for
    boxes of a two-line shape already, or too flat to be one. The engine and the training data
    (``training.data``) cut rows with this same function."""
    x, y, w, h = box
    if not TWO_LINE_ASPECT < w / max(1.0, h) < ROW_PASS_MAX_ASPECT:
        return None
    return (x, y + h / 2 - w / TWO_LINE_ASPECT / 2, w, w / TWO_LINE_ASPECT)


def row_profile(grey: np.ndarray) -> np.ndarray:
    """Per image row, how much text it holds: mean absolute horizontal gradient (character strokes
    give many vertical edges; the gap between rows and the plate's margins few), lightly smoothed."""
    a = grey.astype(np.float32)
    prof = np.abs(np.diff(a, axis=1)).mean(axis=1)
    k = max(1, len(prof) // 20)
    if k > 1:
        prof = np.convolve(prof, np.ones(k) / k, mode="same")
    return prof


def find_gap(grey: np.ndarray) -> int | None:
    """Row index of the gap between two text rows, or None when the crop is too small to split."""
    h = grey.shape[0]
    if h < 8:
        return None
    prof = row_profile(grey)
    lo, hi = int(h * GAP_SEARCH[0]), int(h * GAP_SEARCH[1])
    if hi - lo < 2:
        return None
    # the crop's shape already says two lines: the emptiest row of the middle band is the gap, even
    # when blur makes it shallow (rejecting shallow gaps lost a quarter of the small plates)
    return lo + int(np.argmin(prof[lo:hi]))


def _shear(img: Image.Image, slope: float) -> Image.Image:
    """Shift each column vertically by ``slope`` × its distance from the centre (undoes a tilt)."""
    if slope == 0:
        return img
    w, _ = img.size
    return img.transform(img.size, Image.AFFINE, (1, 0, 0, slope, 1, -slope * w / 2), Image.BILINEAR)


def _gap_depth(grey: np.ndarray) -> tuple[float, int | None]:
    """How empty the gap row is compared with the rows of text (lower is a cleaner split)."""
    gap = find_gap(grey)
    if gap is None:
        return 1.0, None
    prof = row_profile(grey)
    peak = min(prof[:gap].max(initial=0.0), prof[gap:].max(initial=0.0))
    return (float(prof[gap]) / peak if peak > 0 else 1.0), gap


def split_rows(crop: Image.Image, offset: int = 0) -> tuple[Image.Image, Image.Image] | None:
    """(top row, bottom row) crops of a two-line plate, or None when the crop is too small. A
    tilted plate's rows are slanted, so a straight cut would slice through characters: the crop is
    first sheared by the slope (of SLOPES) that gives the emptiest gap. ``offset``: the cut moved
    this many pixels down (up when negative) from the gap found."""
    best: tuple[float, int | None, Image.Image] | None = None
    for slope in SLOPES:
        img = _shear(crop, slope)
        depth, gap = _gap_depth(np.asarray(img.convert("L")))
        if gap is not None and (best is None or depth < best[0] - 0.02):
            best = (depth, gap, img)
    if best is None:
        return None
    _, gap, img = best
    w, h = img.size
    gap = min(max(gap + offset, 1), h - 1)
    pad = max(1, round(h * ROW_OVERLAP))
    return img.crop((0, 0, w, min(h, gap + pad))), img.crop((0, max(0, gap - pad), w, h))


def row_input(row: Image.Image) -> np.ndarray:
    """(READER_H, READER_W) reader input for one row of a two-line plate. A row is much less wide
    than a one-line plate: stretched to the reader's 4:1 input its characters come out twice as
    wide as in training, so it is scaled to the reader's height (widened by ROW_WIDEN, about the
    one-line plates' character shape) and padded to the input width with the plate's background."""
    g = row.convert("L")
    w, h = g.size
    nw = min(READER_W, max(8, round(READER_H * w / max(1, h) * ROW_WIDEN)))
    a = np.asarray(g.resize((nw, READER_H), Image.BILINEAR), dtype=np.float32)
    left = (READER_W - nw) // 2
    a = np.pad(a, ((0, 0), (left, READER_W - nw - left)), constant_values=float(np.percentile(a, 80)))
    return stretch(a).astype(np.float32)
