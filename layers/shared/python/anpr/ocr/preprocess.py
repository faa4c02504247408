"""Image → model tensors, shared by the engine and the training pipeline (one definition, no skew)."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

#: reader input (grey): height, width. Two-line plates are cut in two and laid side by side.
READER_H, READER_W = 32, 128
#: the two-line reader's input (grey): a two-line plate's whole cut, squared. Its output holds the
#: top row's steps, then the bottom row's (two rows of READER_W // 8 steps: READER_W // 4 in all,
#: as the reader's, so a two-line reading decodes as the rows side by side do)
TALL_H, TALL_W = 64, 128
#: detector input (grey), letterboxed, as trained; output grid stride
DET_H, DET_W, DET_STRIDE = 240, 320, 8
#: input sizes the engine runs the (fully convolutional) detector at; results merged. The larger one
#: finds small plates. Sizes keep H/8 ≡ 2 and W/8 ≡ 0 (mod 4) so the dilated convs' fixed
#: SPACE_TO_BATCH paddings stay valid.
DET_SCALES = ((240, 320), (368, 480))
#: a third, larger size run only when the two above yield no readable plate (a cascade: "look
#: harder" costs its ~9 ms only on images where nothing was read, e.g. a small plate in a wide frame)
DET_FALLBACK_SCALE = (496, 640)
#: plate boxes narrower than this (w/h) are read as two-line plates
TWO_LINE_MAX_ASPECT = 1.6
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
BLANK = len(ALPHABET)  # CTC blank is the last class
NUM_CLASSES = len(ALPHABET) + 1


def _stretch(a: np.ndarray) -> np.ndarray:
    lo, hi = np.percentile(a, (2, 98))
    if hi - lo < 8:
        hi = lo + 8
    return np.clip((a - lo) / (hi - lo), 0.0, 1.0)


def reader_input(crop: Image.Image, two_line: bool) -> np.ndarray:
    """(READER_H, READER_W) float32 in 0..1, contrast-stretched."""
    g = crop.convert("L")
    w, h = g.size
    if two_line and h >= 4:
        top = g.crop((0, 0, w, int(h * 0.55))).resize((READER_W // 2, READER_H), Image.BILINEAR)
        bot = g.crop((0, int(h * 0.42), w, h)).resize((READER_W // 2, READER_H), Image.BILINEAR)
        a = np.concatenate([np.asarray(top), np.asarray(bot)], axis=1).astype(np.float32)
    else:
        a = np.asarray(g.resize((READER_W, READER_H), Image.BILINEAR), dtype=np.float32)
    return _stretch(a).astype(np.float32)


def tall_input(crop: Image.Image, size: tuple[int, int] = (TALL_H, TALL_W)) -> np.ndarray:
    """``size`` (height, width; TALL_H × TALL_W unless the two-line reader's file says otherwise)
    float32 in 0..1, contrast-stretched: the two-line reader's input, the whole cut (both rows and
    the gap between them) at 2.5-10× a small plate's row height."""
    a = np.asarray(crop.convert("L").resize((size[1], size[0]), Image.BILINEAR), dtype=np.float32)
    return _stretch(a).astype(np.float32)


def is_two_line(box_w: float, box_h: float) -> bool:
    return box_w < TWO_LINE_MAX_ASPECT * box_h


def detector_input(image: Image.Image, size: tuple[int, int] = (DET_H, DET_W)) -> tuple[np.ndarray, float]:
    """Letterboxed grey (H, W) float32 0..1 and the scale image px → input px."""
    H, W = size
    g = image if image.mode == "L" else image.convert("L")
    w, h = g.size
    s = min(W / w, H / h)
    nw, nh = max(1, round(w * s)), max(1, round(h * s))
    if s < 0.5:  # cheap pre-shrink of big frames before the bilinear resize
        k = int(1 / s / 1.5)
        if k >= 2:
            g = g.reduce(k)
    canvas = np.zeros((H, W), dtype=np.float32)
    canvas[:nh, :nw] = np.asarray(g.resize((nw, nh), Image.BILINEAR), dtype=np.float32) / 255.0
    return canvas, s


def decode_detections(
    heat: np.ndarray,
    size: np.ndarray,
    offset: np.ndarray,
    scale: float,
    threshold: float = 0.3,
    max_det: int = 8,
) -> list[tuple[float, tuple[float, float, float, float]]]:
    """CenterNet-style decode. heat (gh, gw), size/offset (gh, gw, 2). Returns [(score, (x, y, w, h))] in image px."""
    gh, gw = heat.shape
    pad = np.pad(heat, 1, constant_values=0.0)
    neigh = np.max(np.stack([pad[dy : dy + gh, dx : dx + gw] for dy in range(3) for dx in range(3)]), axis=0)
    peaks = np.argwhere((heat >= neigh) & (heat >= threshold))
    out = []
    for gy, gx in peaks:
        score = float(heat[gy, gx])
        cx = (gx + 0.5 + offset[gy, gx, 0]) * DET_STRIDE
        cy = (gy + 0.5 + offset[gy, gx, 1]) * DET_STRIDE
        bw, bh = np.exp(size[gy, gx, 0]) * DET_STRIDE, np.exp(size[gy, gx, 1]) * DET_STRIDE
        out.append((score, ((cx - bw / 2) / scale, (cy - bh / 2) / scale, bw / scale, bh / scale)))
    out.sort(key=lambda t: -t[0])
    kept: list[tuple[float, tuple[float, float, float, float]]] = []
    for sc, b in out:
        if all(iou(b, k[1]) < 0.3 for k in kept):
            kept.append((sc, b))
        if len(kept) >= max_det:
            break
    return kept


def iou(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    ax1, ay1, bx1, by1 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    iw = max(0.0, min(ax1, bx1) - max(a[0], b[0]))
    ih = max(0.0, min(ay1, by1) - max(a[1], b[1]))
    inter = iw * ih
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


#: the margin around a detector box that the reader's crop takes (training renders the same)
CROP_MARGIN_X, CROP_MARGIN_Y = 0.06, 0.12


def expand_box(
    box: tuple[float, float, float, float], img_size: tuple[int, int]
) -> tuple[int, int, int, int]:
    x, y, w, h = box
    x0, y0 = x - w * CROP_MARGIN_X, y - h * CROP_MARGIN_Y
    x1, y1 = x + w * (1 + CROP_MARGIN_X), y + h * (1 + CROP_MARGIN_Y)
    W, H = img_size
    return max(0, int(x0)), max(0, int(y0)), min(W, math.ceil(x1)), min(H, math.ceil(y1))
