"""Turned plates: a one-line plate photographed at a slant (a hand-held photo, a camera looking down
a bend, a plate hung crooked) comes out of the detector as the upright box around it, squarer than
a plate and with its characters running uphill or downhill. Read as it is, the engine takes such a
box for a two-line plate. Here its text line's angle is found from the crop's edges and the crop is
made level two ways, turned (a plate hung or held crooked) and sheared (a plate seen from the side,
whose characters stay upright), each cut to the text band, to be read as one line.

The angle is the one whose projection of the crop's character edges (the gradient along the text
direction, summed across it) is most concentrated: a line of characters projects onto a narrow band
only when projected along its own direction."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

#: the crop is measured at this size (longest side, px): the angle, not the detail, matters here
MEASURE_SIDE = 64
#: text angles tried (degrees, clockwise in the image: the text runs downhill to the right when > 0);
#: coarse first, then FINE_STEP either side of the best
COARSE = tuple(range(-60, 61, 4))
FINE_STEP = 2.0
#: a crop counts as turned when its text line is at least this steep...
MIN_ANGLE = 10.0
#: ...and its edges project at least this much more tightly there than upright (a two-line plate
#: or an upright plate measures about 1.0; the turned plates of the real sets 1.2-3.2)
MIN_GAIN = 1.15
#: the text band's rows are those whose edge sum is at least this share of the peak row's
BAND_SHARE = 0.3
#: columns of the band with at least this share of the busiest column's edges are text
COLUMN_SHARE = 0.15
#: margins of the cut around the text band, as shares of the band's height (above/below, sides)
MARGIN_Y, MARGIN_X = 0.25, 0.3


def _edges(crop: Image.Image) -> tuple[np.ndarray, ...]:
    g = crop if crop.mode == "L" else crop.convert("L")
    s = MEASURE_SIDE / max(g.size)
    if s < 1:
        g = g.resize((max(8, round(g.width * s)), max(8, round(g.height * s))), Image.BILINEAR)
    a = np.asarray(g, dtype=np.float32)
    gx = (a[:-1, 1:] - a[:-1, :-1]).ravel()
    gy = (a[1:, :-1] - a[:-1, :-1]).ravel()
    ys, xs = np.mgrid[0 : a.shape[0] - 1, 0 : a.shape[1] - 1]
    keep = (np.abs(gx) + np.abs(gy)) > 0
    return gx[keep], gy[keep], xs.ravel()[keep].astype(np.float32), ys.ravel()[keep].astype(np.float32)


def _concentration(edges: tuple[np.ndarray, ...], degrees: tuple[float, ...]) -> np.ndarray:
    """Per angle, how tightly the edges across a text line at that angle project onto its normal
    (sum of the squared 1-px bins over the squared total: larger is narrower), all angles at once."""
    gx, gy, xs, ys = edges
    if gx.size == 0:
        return np.zeros(len(degrees))
    t = np.radians(np.asarray(degrees, dtype=np.float32))[:, None]
    c, s = np.cos(t), np.sin(t)
    w = np.abs(gx * c + gy * s)  # strokes across the text direction (a character's uprights)
    r = np.round(ys * c - xs * s).astype(np.int64)  # distance along the line's normal
    r -= r.min(axis=1, keepdims=True)
    span = int(r.max()) + 1
    rows = (r + span * np.arange(len(degrees))[:, None]).ravel()
    prof = np.bincount(rows, weights=w.ravel(), minlength=span * len(degrees))
    prof = prof.reshape(len(degrees), span)
    total = prof.sum(axis=1)
    return np.where(total > 0, (prof**2).sum(axis=1) / np.maximum(total, 1e-9) ** 2, 0.0)


def text_angle(crop: Image.Image) -> tuple[float, float]:
    """(angle in degrees, gain): the crop's text line angle (> 0: downhill to the right) and how
    much more tightly its edges project there than upright (1.0 for an upright crop)."""
    edges = _edges(crop)
    coarse = _concentration(edges, (0.0,) + COARSE)
    upright, k = float(coarse[0]), int(np.argmax(coarse[1:]))
    best = (float(coarse[1 + k]), float(COARSE[k]))
    fine = (best[1] - FINE_STEP, best[1] + FINE_STEP)
    for score, d in zip(_concentration(edges, fine), fine, strict=True):
        best = max(best, (float(score), d))
    return best[1], (best[0] / upright if upright > 0 else 1.0)


def _turn(img: Image.Image, degrees: float, how: str, fill) -> Image.Image:
    """``img`` made level: turned by ``degrees`` ("rotate": a plate hung or photographed crooked,
    its characters turned with it) or sheared column by column ("shear": a plate seen from the side,
    its characters' uprights still upright), grown to keep every corner."""
    if how == "rotate":
        return img.rotate(degrees, resample=Image.BILINEAR, expand=True, fillcolor=fill)
    w, h = img.size
    k = math.tan(math.radians(degrees))
    extra = math.ceil(abs(k) * w)
    # the text runs downhill k px per px to the right; output (x, y) shows input (x, y + k x + off),
    # so a line of text comes out on one output row
    off = -extra if k > 0 else 0
    return img.transform((w, h + extra), Image.AFFINE, (1, 0, 0, k, 1, off), Image.BILINEAR, fillcolor=fill)


def level_cut(crop: Image.Image, degrees: float, how: str = "rotate") -> Image.Image:
    """The crop made level (``_turn``) and cut to the text band with margins."""
    rgb = crop.convert("RGB")
    fill = tuple(int(v) for v in np.asarray(rgb).reshape(-1, 3).mean(axis=0))
    turned = _turn(rgb, degrees, how, fill)
    inside = _turn(Image.new("L", crop.size, 255), degrees, how, 0)
    a = np.asarray(turned.convert("L"), dtype=np.float32)
    m = np.asarray(inside, dtype=np.uint8) > 127
    # uprights of characters inside the turned crop (not the edge of the fill around it)
    gx = np.abs(np.diff(a, axis=1)) * (m[:, 1:] & m[:, :-1])
    rows = gx.sum(axis=1)
    k = max(1, len(rows) // 15)
    rows = np.convolve(rows, np.ones(k) / k, mode="same")
    peak = int(np.argmax(rows))
    if rows[peak] <= 0:
        return turned
    y0 = y1 = peak
    while y0 > 0 and rows[y0 - 1] >= BAND_SHARE * rows[peak]:
        y0 -= 1
    while y1 < len(rows) - 1 and rows[y1 + 1] >= BAND_SHARE * rows[peak]:
        y1 += 1
    band_h = y1 - y0 + 1
    cols = gx[y0 : y1 + 1].sum(axis=0)
    kc = max(1, len(cols) // 30)
    cols = np.convolve(cols, np.ones(kc) / kc, mode="same")
    text = np.nonzero(cols >= COLUMN_SHARE * cols.max())[0]
    x0, x1 = (int(text[0]), int(text[-1])) if len(text) else (0, turned.width - 1)
    my, mx = MARGIN_Y * band_h, MARGIN_X * band_h
    return turned.crop(
        (
            max(0, int(x0 - mx)),
            max(0, int(y0 - my)),
            min(turned.width, int(x1 + mx) + 1),
            min(turned.height, int(y1 + my) + 1),
        )
    )


def turned_line(crop: Image.Image) -> list[Image.Image]:
    """Level cuts of a crop whose text runs at a slant (``MIN_ANGLE``, ``MIN_GAIN``): turned and
    sheared (which of the two a plate needs depends on how it was seen; the reader tells), else []."""
    if min(crop.size) < 8:
        return []
    degrees, gain = text_angle(crop)
    if abs(degrees) < MIN_ANGLE or gain < MIN_GAIN:
        return []
    return [level_cut(crop, degrees, how) for how in ("rotate", "shear")]
