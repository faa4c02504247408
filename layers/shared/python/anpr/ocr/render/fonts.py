"""Fonts for plate glyphs: DIN 1451-like first (``fonts-opendin``), DejaVu as fallback."""

from __future__ import annotations

import os
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
