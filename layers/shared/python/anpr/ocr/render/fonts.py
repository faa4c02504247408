"""Fonts for plate glyphs: DIN 1451-like first (``fonts-opendin``), DejaVu as fallback, and (for the
reader's training data, ``use_drawn_faces``) typefaces drawn by the renderer (``strokes``)."""

from __future__ import annotations

import os
from contextlib import contextmanager
from functools import cache, lru_cache
from pathlib import Path

from PIL import ImageFont

_SEARCH_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts"))

#: (file name, weight in the plate-font mix). DIN-like glyphs dominate: they are what EU plates use.
PLATE_FONTS: tuple[tuple[str, float], ...] = (
    ("OSP-DIN.ttf", 0.55),
    ("DejaVuSansCondensed-Bold.ttf", 0.2),
    ("DejaVuSans-Bold.ttf", 0.1),
    ("DejaVuSansMono-Bold.ttf", 0.1),
    ("DejaVuSansCondensed.ttf", 0.05),
)
TEXT_FONTS: tuple[str, ...] = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif-Bold.ttf", "OSP-DIN.ttf")


@cache
def _index() -> dict[str, str]:
    found: dict[str, str] = {}
    extra = os.environ.get("ANPR_FONTS_DIR")
    for root in ((extra,) if extra else ()) + _SEARCH_DIRS:
        if not root or not os.path.isdir(root):
            continue
        for dirpath, _, files in os.walk(root):
            for f in files:
                if f.lower().endswith((".ttf", ".otf")):
                    found.setdefault(f, os.path.join(dirpath, f))
    return found


def available_plate_fonts() -> list[tuple[str, float]]:
    """Plate fonts installed here, with weights; never empty (PIL's default font last)."""
    idx = _index()
    out = [(idx[name], w) for name, w in PLATE_FONTS if name in idx]
    return out or [("", 1.0)]


#: share of plates drawn in a drawn typeface (``strokes.STYLES``); 0 (the default) leaves every draw
#: as before (the detector's data and the synthetic evaluation sets), the reader's data sets it
_DRAWN: dict = {"share": 0.0, "only": None}


def use_drawn_faces(share: float) -> None:
    """From now on (in this process) draw this share of plates in a drawn plate typeface."""
    _DRAWN["share"] = share


@contextmanager
def drawn_faces(share: float):
    """``use_drawn_faces`` for the duration of a ``with`` block."""
    before = _DRAWN["share"]
    _DRAWN["share"] = share
    try:
        yield
    finally:
        _DRAWN["share"] = before


def use_only_face(face: str | None) -> None:
    """Draw every plate (in this process) in one face: an installed font's file name, a drawn
    style's name (``strokes.STYLES``), or None to go back to the mix. For evaluating the reader on a
    face it was or was not trained on; the random draws stay those of the mix."""
    if face is None:
        _DRAWN["only"] = None
        return
    from anpr.ocr.render.strokes import STYLES, StrokeFont

    drawn = {s.name: s for s in STYLES}
    if face in drawn:
        _DRAWN["only"] = StrokeFont(drawn[face])
    elif face in _index():
        _DRAWN["only"] = font(_index()[face], 96)
    else:
        raise ValueError(f"no font {face!r} here (installed: {sorted(_index())}; drawn: {sorted(drawn)})")


def pick_plate_font(rng):
    """A font for one plate's characters: an installed face by PLATE_FONTS' weights or, for the
    drawn share, a ``strokes.StrokeFont``. With no drawn share the random draws are exactly those
    made before drawn faces existed (the same data from the same seeds)."""
    if _DRAWN["only"] is not None:  # one face for every plate (evaluation), the same draws
        rng.choices(range(len(available_plate_fonts())))
        return _DRAWN["only"]
    if _DRAWN["share"] > 0 and rng.random() < _DRAWN["share"]:
        from anpr.ocr.render.strokes import STYLES, TRAINING_STYLES, StrokeFont

        return StrokeFont(rng.choice([s for s in STYLES if s.name in TRAINING_STYLES]))
    paths, weights = zip(*available_plate_fonts(), strict=True)
    return font(rng.choices(paths, weights=weights)[0], 96)


def has_din() -> bool:
    return "OSP-DIN.ttf" in _index()


@lru_cache(maxsize=256)
def font(path: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if not path:
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(path, size)


def text_font(name_index: int, size: int):
    idx = _index()
    names = [n for n in TEXT_FONTS if n in idx]
    if not names:
        return font("", size)
    return font(idx[names[name_index % len(names)]], size)
