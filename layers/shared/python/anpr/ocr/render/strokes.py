"""Plate typefaces drawn by the renderer: the registries offer no freely licensed FE-Schrift, Charles
Wright or Dutch kenteken font, so their traits are drawn from stroke skeletons instead.

Each glyph is a few polylines on a unit box (x right, y down); a vertex marked round is filleted
with the style's corner radius (a large radius gives round bowls, a small one the cut corners of
FE-Schrift), and the strokes are drawn with the style's weight. The styles differ in what tells
real plate fonts apart and what the reader must learn to separate: width, weight, round or cut
bowls, a narrow 0 beside a round O (FE-Schrift), a flat-topped 3, a 1 with or without a flag.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw

#: (x, y, round?) vertices per stroke; r = filleted with the style's radius, s = sharp
_R, _S = 1, 0
Stroke = tuple[tuple[float, float, int], ...]


def _p(*pts: tuple[float, float, int]) -> Stroke:
    return tuple(pts)


def _loop(x0: float, y0: float, x1: float, y1: float) -> Stroke:
    """A closed bowl starting mid-top (so every corner is interior and filleted)."""
    xm = (x0 + x1) / 2
    return _p((xm, y0, _S), (x1, y0, _R), (x1, y1, _R), (x0, y1, _R), (x0, y0, _R), (xm, y0, _S))


GLYPHS: dict[str, tuple[Stroke, ...]] = {
    "A": (_p((0, 1, _S), (0.5, 0, _S), (1, 1, _S)), _p((0.2, 0.66, _S), (0.8, 0.66, _S))),
    "B": (
        _p((0, 0, _S), (0.8, 0, _R), (0.8, 0.47, _R), (0, 0.47, _S)),
        _p((0, 0.47, _S), (1, 0.47, _R), (1, 1, _R), (0, 1, _S), (0, 0, _S)),
    ),
    "C": (_p((1, 0, _S), (0, 0, _R), (0, 1, _R), (1, 1, _S)),),
    "D": (_p((0, 0, _S), (1, 0, _R), (1, 1, _R), (0, 1, _S), (0, 0, _S)),),
    "E": (_p((1, 0, _S), (0, 0, _S), (0, 1, _S), (1, 1, _S)), _p((0, 0.48, _S), (0.8, 0.48, _S))),
    "F": (_p((1, 0, _S), (0, 0, _S), (0, 1, _S)), _p((0, 0.48, _S), (0.8, 0.48, _S))),
    "G": (_p((1, 0, _S), (0, 0, _R), (0, 1, _R), (1, 1, _R), (1, 0.55, _S), (0.5, 0.55, _S)),),
    "H": (_p((0, 0, _S), (0, 1, _S)), _p((1, 0, _S), (1, 1, _S)), _p((0, 0.48, _S), (1, 0.48, _S))),
    "I": (_p((0.5, 0, _S), (0.5, 1, _S)),),
    "J": (_p((1, 0, _S), (1, 1, _R), (0, 1, _R), (0, 0.72, _S)),),
    "K": (_p((0, 0, _S), (0, 1, _S)), _p((1, 0, _S), (0, 0.62, _S)), _p((0.32, 0.42, _S), (1, 1, _S))),
    "L": (_p((0, 0, _S), (0, 1, _S), (1, 1, _S)),),
    "M": (_p((0, 1, _S), (0, 0, _S), (0.5, 0.62, _S), (1, 0, _S), (1, 1, _S)),),
    "N": (_p((0, 1, _S), (0, 0, _S), (1, 1, _S), (1, 0, _S)),),
    "O": (_loop(0, 0, 1, 1),),
    "P": (_p((0, 1, _S), (0, 0, _S), (1, 0, _R), (1, 0.52, _R), (0, 0.52, _S)),),
    "Q": (_loop(0, 0, 1, 1), _p((0.6, 0.72, _S), (1.02, 1.08, _S))),
    "R": (
        _p((0, 1, _S), (0, 0, _S), (1, 0, _R), (1, 0.5, _R), (0, 0.5, _S)),
        _p((0.45, 0.5, _S), (1, 1, _S)),
    ),
    "S": (_p((1, 0, _S), (0, 0, _R), (0, 0.48, _R), (1, 0.48, _R), (1, 1, _R), (0, 1, _S)),),
    "T": (_p((0, 0, _S), (1, 0, _S)), _p((0.5, 0, _S), (0.5, 1, _S))),
    "U": (_p((0, 0, _S), (0, 1, _R), (1, 1, _R), (1, 0, _S)),),
    "V": (_p((0, 0, _S), (0.5, 1, _S), (1, 0, _S)),),
    "W": (_p((0, 0, _S), (0.22, 1, _S), (0.5, 0.3, _S), (0.78, 1, _S), (1, 0, _S)),),
    "X": (_p((0, 0, _S), (1, 1, _S)), _p((1, 0, _S), (0, 1, _S))),
    "Y": (_p((0, 0, _S), (0.5, 0.5, _S), (1, 0, _S)), _p((0.5, 0.5, _S), (0.5, 1, _S))),
    "Z": (_p((0, 0, _S), (1, 0, _S), (0, 1, _S), (1, 1, _S)),),
    "0": (_loop(0, 0, 1, 1),),
    "1": (_p((0.15, 0.22, _S), (0.65, 0, _S), (0.65, 1, _S)),),
    "2": (_p((0, 0.12, _S), (0.15, 0, _S), (1, 0, _R), (1, 0.46, _R), (0, 1, _S), (1, 1, _S)),),
    "3": (_p((0, 0, _S), (1, 0, _R), (1, 1, _R), (0, 1, _S)), _p((0.3, 0.48, _S), (1, 0.48, _S))),
    "4": (_p((0.78, 1, _S), (0.78, 0, _S), (0, 0.7, _S), (1, 0.7, _S)),),
    "5": (_p((1, 0, _S), (0.05, 0, _S), (0, 0.45, _S), (1, 0.45, _R), (1, 1, _R), (0, 1, _S)),),
    "6": (_p((0.95, 0, _S), (0, 0, _R), (0, 1, _R), (1, 1, _R), (1, 0.48, _R), (0, 0.48, _S)),),
    "7": (_p((0, 0, _S), (1, 0, _S), (0.3, 1, _S)),),
    "8": (_loop(0.08, 0, 0.92, 0.47), _loop(0, 0.47, 1, 1)),
    "9": (_p((0.05, 1, _S), (1, 1, _R), (1, 0, _R), (0, 0, _R), (0, 0.52, _R), (1, 0.52, _S)),),
}


@dataclass(frozen=True)
class StrokeStyle:
    name: str
    width: float  # glyph box width / cap height
    weight: float  # stroke width / cap height
    radius: float  # corner fillet / glyph box height (0.5 ≈ fully round bowls)
    samples: int  # points per fillet: 2 = a cut corner, 6+ = a smooth curve
    narrow_zero: float = 1.0  # width of 0 relative to O (FE-Schrift: narrower)
    flat_three: bool = False  # 3 with a flat top bar and a diagonal (FE-Schrift)
    one_flag: bool = True  # 1 with its flag
    spacing: float = 0.16  # gap between glyphs / cap height


#: FE-Schrift-like (DE plates since 2000: narrow, cut corners, narrow 0); kenteken-like (NL: narrow,
#: rounded, light); Charles-Wright-like (UK 2001: bold, condensed, round); a wide DIN-like round face
STYLES: tuple[StrokeStyle, ...] = (
    StrokeStyle("fe", 0.46, 0.125, 0.16, 2, narrow_zero=0.8, flat_three=True, one_flag=True, spacing=0.14),
    StrokeStyle("kenteken", 0.5, 0.11, 0.34, 6, narrow_zero=0.95, one_flag=False),
    StrokeStyle("cw", 0.5, 0.16, 0.3, 6, narrow_zero=1.0, one_flag=False, spacing=0.21),
    StrokeStyle("din_round", 0.56, 0.13, 0.42, 8, narrow_zero=0.9, spacing=0.18),
)

#: the styles the reader's training data is drawn in; "cw" is left out on purpose: it is the face
#: the reader never sees, so reading it measures how well the reader carries over to a new typeface
TRAINING_STYLES: tuple[str, ...] = ("fe", "kenteken", "din_round")

_NARROW = {"I": 0.28, "1": 0.55, "J": 0.85, "L": 0.85, "E": 0.88, "F": 0.86, "M": 1.15, "W": 1.25}
_FLAT_THREE: tuple[Stroke, ...] = (
    _p((0, 0, _S), (1, 0, _S), (0.5, 0.4, _S), (1, 0.58, _R), (1, 1, _R), (0, 1, _R), (0, 0.8, _S)),
)
_PLAIN_ONE: tuple[Stroke, ...] = (_p((0.5, 0, _S), (0.5, 1, _S)),)


def _fillet(pts: Stroke, r: float, samples: int) -> list[tuple[float, float]]:
    """The polyline with each round vertex replaced by a quadratic curve of radius ~r."""
    out: list[tuple[float, float]] = [(pts[0][0], pts[0][1])]
    for i in range(1, len(pts) - 1):
        (ax, ay, _), (bx, by, rnd), (cx, cy, _) = pts[i - 1], pts[i], pts[i + 1]
        if not rnd or r <= 0:
            out.append((bx, by))
            continue
        la, lc = math.hypot(ax - bx, ay - by), math.hypot(cx - bx, cy - by)
        k = min(r, la / 2, lc / 2)
        p0 = (bx + (ax - bx) * k / max(la, 1e-9), by + (ay - by) * k / max(la, 1e-9))
        p2 = (bx + (cx - bx) * k / max(lc, 1e-9), by + (cy - by) * k / max(lc, 1e-9))
        for j in range(samples + 1):
            t = j / samples
            out.append(
                (
                    (1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * bx + t**2 * p2[0],
                    (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * by + t**2 * p2[1],
                )
            )
    out.append((pts[-1][0], pts[-1][1]))
    return out


def _strokes(ch: str, style: StrokeStyle) -> tuple[Stroke, ...]:
    if ch == "3" and style.flat_three:
        return _FLAT_THREE
    if ch == "1" and not style.one_flag:
        return _PLAIN_ONE
    return GLYPHS[ch]


@lru_cache(maxsize=2048)
def glyph_mask(ch: str, style: StrokeStyle, cap: int) -> Image.Image:
    """One character, white on black, ``cap`` pixels high (drawn at 4× and shrunk: smooth edges)."""
    s = 4
    h = cap * s
    wt = max(2, round(style.weight * h))
    rel = _NARROW.get(ch, 1.0) * (style.narrow_zero if ch == "0" else 1.0)
    gw = style.width * h * rel
    pad = wt / 2 + 1
    img = Image.new("L", (max(1, math.ceil(gw + 2 * pad)), h + 2 * math.ceil(pad)), 0)
    d = ImageDraw.Draw(img)
    box_w, box_h = max(1.0, gw - 0), h - 0
    for stroke in _strokes(ch, style):
        # the fillet radius is a share of the box height, capped by half the box's width
        pts = _fillet(stroke, style.radius * min(1.0, box_w / box_h * 2), style.samples)
        xy = [(pad + x * box_w, pad + y * box_h) for x, y in pts]
        d.line(xy, fill=255, width=wt, joint="curve")
        for x, y in (xy[0], xy[-1]):  # square-ish ends: small round caps hide the line's jaggies
            d.ellipse((x - wt / 2.2, y - wt / 2.2, x + wt / 2.2, y + wt / 2.2), fill=255)
    out = img.resize((max(1, round(img.width / s)), max(1, round(img.height / s))), Image.LANCZOS)
    return out


class StrokeFont:
    """A drawn typeface standing in for a PIL font in the plate renderer (``plate._text_mask``)."""

    def __init__(self, style: StrokeStyle, cap: int = 96):
        self.style = style
        self.cap = cap

    def mask(self, text: str) -> Image.Image:
        parts = [glyph_mask(ch, self.style, self.cap) for ch in text if ch in GLYPHS]
        if not parts:
            return Image.new("L", (1, 1), 0)
        gap = round(self.style.spacing * self.cap) - round(self.style.weight * self.cap)
        width = sum(p.width for p in parts) + gap * (len(parts) - 1)
        height = max(p.height for p in parts)
        out = Image.new("L", (max(1, width), height), 0)
        x = 0
        for p in parts:
            out.paste(p, (x, height - p.height), p)
            x += p.width + gap
        return out


__all__ = ["GLYPHS", "STYLES", "TRAINING_STYLES", "StrokeFont", "StrokeStyle", "glyph_mask"]
