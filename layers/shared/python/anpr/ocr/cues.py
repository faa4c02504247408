"""Cheap country cues from a plate crop's colours: yellow background (NL, LU, UK rear) and red
characters (BE). Infrared / grey frames give no cue (a yellow plate looks white under IR)."""

from __future__ import annotations

import numpy as np
from PIL import Image

#: below this mean channel spread (0..255) the crop is treated as grey (night / IR): no colour cue
GREY_SPREAD = 12.0
_SIDE = 40
#: red characters: the dark pixels' R - G exceeds the background's by more than this; black
#: characters: by less than BLACK_BELOW (in between: no cue). Set on synthetic renders, whose colour
#: casts are wide: about 40 % of Belgian crops pass, 5 % of black-on-white ones.
RED_ABOVE, BLACK_BELOW = 35.0, 0.0  # the crop is shrunk to this width first: a few thousand pixels are plenty


def plate_colours(crop: Image.Image) -> dict:
    """``{"bg": "yellow" | "white" | None, "fg_red": True | False | None}``.

    The left 15 % (EU band) and a margin around the crop are ignored; background = the brightest
    40 % of the remaining pixels, characters = the darkest 15 %.
    """
    w, h = crop.size
    if w < 8 or h < 4:
        return {"bg": None, "fg_red": None}
    small = crop.convert("RGB").resize((_SIDE, max(4, round(_SIDE * h / w))), Image.BILINEAR)
    a = np.asarray(small, dtype=np.float32)
    H, W = a.shape[:2]
    a = a[int(H * 0.15) : H - int(H * 0.15) or H, int(W * 0.15) : W - int(W * 0.05)]
    px = a.reshape(-1, 3)
    if px.shape[0] < 16:
        return {"bg": None, "fg_red": None}
    spread = px.max(axis=1) - px.min(axis=1)
    if float(spread.mean()) < GREY_SPREAD:
        return {"bg": None, "fg_red": None}
    v = px.sum(axis=1)
    order = np.argsort(v)
    n = len(order)
    bright = px[order[int(n * 0.6) :]].mean(axis=0)
    dark = px[order[: max(1, int(n * 0.4))]].mean(axis=0)
    r, g, b = (float(x) for x in bright)
    if r > 120 and g > 90 and b < 0.6 * min(r, g) and r - b > 60:
        bg = "yellow"
    elif min(r, g, b) > 110 and max(r, g, b) - min(r, g, b) < 45:
        bg = "white"
    else:
        bg = None
    fg_red = None
    if bg == "white":  # red characters are told apart from black ones on a light plate only
        # how much redder (R - G) the darker pixels are than the background: white balance cancels
        redness = float(dark[0] - dark[1]) - (r - g)
        fg_red = True if redness > RED_ABOVE else False if redness < BLACK_BELOW else None
    return {"bg": bg, "fg_red": fg_red}
