"""Camera scenes and reader crops: plates dressed (bolts, dirt, frames, dealer text, glare), warped and
placed on vehicle-like backgrounds with distractor text, then degraded like a real camera would
(blur, motion, noise, night/IR, JPEG). Everything is drawn from one ``random.Random``: same seed,
same pixels.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from anpr.ocr.preprocess import CROP_MARGIN_X, CROP_MARGIN_Y, expand_box  # noqa: F401  (runtime owns the crop rule)
from anpr.ocr.render import fonts
from anpr.ocr.render.plate import make_plate

_CAR_COLOURS = (
    (200, 200, 205),
    (30, 30, 35),
    (240, 240, 240),
    (120, 20, 25),
    (20, 40, 90),
    (90, 95, 100),
    (150, 150, 155),
    (60, 80, 60),
    (190, 160, 110),
    (10, 10, 12),
    (220, 120, 30),
)
_BRANDS = (
    "VW",
    "BMW",
    "AUDI",
    "OPEL",
    "FORD",
    "KIA",
    "PEUGEOT",
    "RENAULT",
    "TOYOTA",
    "SKODA",
    "VOLVO",
    "FIAT",
    "SEAT",
    "MERCEDES",
    "CITROEN",
    "DACIA",
    "TESLA",
    "MAZDA",
    "NISSAN",
    "HYUNDAI",
)
_DEALERS = (
    "AUTO GARAGE",
    "CARS NV",
    "MOTORS",
    "AUTOHAUS",
    "GARAGE DU CENTRE",
    "AUTO 2000",
    "www.cars.be",
    "DEALER BVBA",
    "AUTOCENTER",
    "0475 12 34 56",
    "SERVICE",
    "LEASE",
)
_SIGNS = (
    "STOP",
    "PARKING",
    "P",
    "EXIT",
    "SORTIE",
    "UITRIT",
    "30",
    "50",
    "ZONE 30",
    "BUS",
    "TAXI",
    "A12",
    "E40",
    "BRUXELLES",
    "ANTWERPEN",
    "LIEGE",
    "OPEN 24H",
    "SALE",
    "HOTEL",
    "PHARMACY",
    "ZONE",
    "123",
)


@dataclass(frozen=True)
class PlateBox:
    bbox: tuple[int, int, int, int]  # x, y, w, h in image pixels
    text: str
    country: str
    variant: str
    lines: int


def _rgb(rng: random.Random) -> tuple[int, int, int]:
    return (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255))


def _np_rng(rng: random.Random) -> np.random.Generator:
    return np.random.default_rng(rng.getrandbits(32))


# ---------------------------------------------------------------- plate dressing and warping
def dress_plate(
    plate: Image.Image, rng: random.Random, night: bool = False
) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """Add bolts, dirt, shading, a dealer frame; returns (image, plate box inside it)."""
    w, h = plate.size
    d = ImageDraw.Draw(plate)
    if rng.random() < 0.5:  # bolts
        r = rng.randint(4, 7)
        ys = [rng.randint(10, 20)] if rng.random() < 0.6 else [rng.randint(8, 18), h - rng.randint(8, 18)]
        for y in ys:
            for x in (int(w * rng.uniform(0.18, 0.3)), int(w * rng.uniform(0.7, 0.82))):
                c = rng.randint(90, 200)
                d.ellipse((x - r, y - r, x + r, y + r), fill=(c, c, c - 5))
    if rng.random() < 0.45:  # dirt and wear
        for _ in range(rng.randint(2, 12)):
            x, y, r = rng.randint(0, w), rng.randint(0, h), rng.randint(3, 25)
            c = rng.randint(60, 150)
            blob = Image.new("L", (2 * r, 2 * r), 0)
            ImageDraw.Draw(blob).ellipse((0, 0, 2 * r - 1, 2 * r - 1), fill=rng.randint(30, 110))
            plate.paste((c, c - 10, c - 25), (x - r, y - r), blob)
    if rng.random() < 0.4:  # gradient shading (light falls off across the plate)
        grad = Image.linear_gradient("L").resize((w, h)).rotate(rng.choice([0, 90, 180, 270]), expand=False)
        k = rng.uniform(0.2, 0.6)
        grad = grad.point(lambda v: int(v * k))
        plate.paste((0, 0, 0), (0, 0), grad)
    if night:  # retro-reflective plates light up under IR
        plate = plate.point(lambda v: min(255, int(v * 1.25 + 20)))
    box = (0, 0, w, h)
    if rng.random() < 0.35:  # dealer frame with text
        top, bot, side = rng.randint(4, 14), rng.randint(8, 30), rng.randint(4, 12)
        fc = rng.choice([(20, 20, 20), (200, 200, 200), (30, 30, 80)])
        framed = Image.new("RGB", (w + 2 * side, h + top + bot), fc)
        framed.paste(plate, (side, top))
        if bot >= 14:
            tf = fonts.text_font(rng.randint(0, 3), int(bot * 0.7))
            ImageDraw.Draw(framed).text(
                (side + rng.randint(0, w // 3), h + top + 1),
                rng.choice(_DEALERS),
                fill=(255 - fc[0], 255 - fc[1], 200),
                font=tf,
            )
        plate, box = framed, (side, top, w, h)
    return plate, box


def _perspective_coeffs(dst: list[tuple[float, float]], src: list[tuple[float, float]]) -> list[float]:
    """Coefficients for PIL's PERSPECTIVE transform mapping output points ``dst`` to input ``src``."""
    a = []
    b = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        b.extend([u, v])
    return np.linalg.solve(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)).tolist()


def warp_plate(
    img: Image.Image,
    inner: tuple[int, int, int, int],
    plate_h: float,
    rng: random.Random,
    tilt: float = 1.0,
    turn: float = 0.0,
) -> tuple[Image.Image, tuple[float, float, float, float]]:
    """Scale so the plate is ``plate_h`` px high, apply a random perspective/rotation (and ``turn``
    degrees more of rotation, clockwise: a plate photographed at a slant).

    Returns an RGBA image and the plate's bounding box (x, y, w, h) inside it.
    """
    w, h = img.size
    ix, iy, iw, ih = inner
    s = plate_h / ih
    # pre-shrink: transforms on small images are fast and anti-aliased enough
    pre = max(s * 1.5, min(1.0, s * 2))
    if pre < 1.0:
        img = img.resize((max(2, int(w * pre)), max(2, int(h * pre))), Image.BILINEAR)
        s2 = s / pre
        ix, iy, iw, ih = ix * pre, iy * pre, iw * pre, ih * pre
    else:
        s2 = s
    w, h = img.size
    ang = math.radians(rng.gauss(0, 4 * tilt) + turn)
    yaw = rng.gauss(0, 0.12 * tilt)  # horizontal foreshortening of one side
    pitch = rng.gauss(0, 0.06 * tilt)
    shear = rng.gauss(0, 0.06 * tilt)
    src = [(0, 0), (w, 0), (w, h), (0, h)]
    dst = []
    for x, y in src:
        X, Y = x * s2, y * s2
        cx, cy = w * s2 / 2, h * s2 / 2
        dx, dy = X - cx, Y - cy
        fy = 1 + yaw * (dx / max(1, cx))  # nearer side taller
        fx = 1 + pitch * (dy / max(1, cy))
        dx, dy = dx * fx + shear * dy, dy * fy
        rx = dx * math.cos(ang) - dy * math.sin(ang)
        ry = dx * math.sin(ang) + dy * math.cos(ang)
        dst.append((rx, ry))
    minx, miny = min(p[0] for p in dst), min(p[1] for p in dst)
    dst = [(x - minx + 1, y - miny + 1) for x, y in dst]
    ow, oh = int(max(p[0] for p in dst)) + 2, int(max(p[1] for p in dst)) + 2
    coeffs = _perspective_coeffs(dst, src)
    rgba = img.convert("RGBA").transform((ow, oh), Image.PERSPECTIVE, coeffs, Image.BILINEAR)

    # where the inner plate corners went
    def fwd(x: float, y: float) -> tuple[float, float]:
        X, Y = x * s2, y * s2
        cx, cy = w * s2 / 2, h * s2 / 2
        dx, dy = X - cx, Y - cy
        fy = 1 + yaw * (dx / max(1, cx))
        fx = 1 + pitch * (dy / max(1, cy))
        dx, dy = dx * fx + shear * dy, dy * fy
        rx = dx * math.cos(ang) - dy * math.sin(ang)
        ry = dx * math.sin(ang) + dy * math.cos(ang)
        return rx - minx + 1, ry - miny + 1

    pts = [fwd(ix, iy), fwd(ix + iw, iy), fwd(ix + iw, iy + ih), fwd(ix, iy + ih)]
    x0, y0 = min(p[0] for p in pts), min(p[1] for p in pts)
    x1, y1 = max(p[0] for p in pts), max(p[1] for p in pts)
    return rgba, (x0, y0, x1 - x0, y1 - y0)


# ---------------------------------------------------------------- backgrounds and distractors
def _gradient(size: tuple[int, int], c0, c1, rng: random.Random) -> Image.Image:
    g = Image.linear_gradient("L").resize(size)
    if rng.random() < 0.3:
        g = g.transpose(Image.Transpose.ROTATE_90).resize(size)
    return Image.composite(Image.new("RGB", size, c1), Image.new("RGB", size, c0), g)


def _distractor_text(
    d: ImageDraw.ImageDraw, rng: random.Random, box: tuple[int, int, int, int], scale: float
) -> None:
    x0, y0, x1, y1 = box
    if x1 - x0 < 10 or y1 - y0 < 10:
        return
    size = max(6, int(rng.uniform(8, 40) * scale))
    f = fonts.text_font(rng.randint(0, 5), size)
    word = rng.choice(_SIGNS + _BRANDS + _DEALERS)
    x, y = rng.randint(x0, max(x0, x1 - size)), rng.randint(y0, max(y0, y1 - size))
    if rng.random() < 0.5:  # on a sign plate (a plate-like rectangle with text: the hard negative)
        tb = d.textbbox((x, y), word, font=f)
        pad = max(2, size // 5)
        d.rectangle((tb[0] - pad, tb[1] - pad, tb[2] + pad, tb[3] + pad), fill=_rgb(rng))
    d.text((x, y), word, fill=_rgb(rng), font=f)


def _background(size: tuple[int, int], rng: random.Random) -> Image.Image:
    W, H = size
    img = _gradient(size, _rgb(rng), _rgb(rng), rng)
    d = ImageDraw.Draw(img)
    for _ in range(rng.randint(2, 8)):  # buildings, road, poles
        x, y = rng.randint(-W // 4, W), rng.randint(-H // 4, H)
        d.rectangle((x, y, x + rng.randint(10, W // 2), y + rng.randint(10, H // 2)), fill=_rgb(rng))
    for _ in range(rng.randint(0, 4)):
        d.line(
            (rng.randint(0, W), rng.randint(0, H), rng.randint(0, W), rng.randint(0, H)),
            fill=_rgb(rng),
            width=rng.randint(1, 6),
        )
    for _ in range(rng.randint(0, 4)):
        _distractor_text(d, rng, (0, 0, W, H), H / 480)
    return img


def _vehicle(img: Image.Image, rng: random.Random, cx: int, bottom: int, width: int) -> tuple[int, int]:
    """Draw a vehicle front/rear; returns the plate centre (x, y) on its bumper."""
    d = ImageDraw.Draw(img)
    colour = rng.choice(_CAR_COLOURS) if rng.random() < 0.8 else _rgb(rng)
    colour = tuple(max(0, min(255, c + rng.randint(-20, 20))) for c in colour)
    height = int(width * rng.uniform(0.55, 0.9))
    x0, x1 = cx - width // 2, cx + width // 2
    top = bottom - height
    d.rounded_rectangle((x0, top + height // 3, x1, bottom), radius=max(2, width // 12), fill=colour)
    # glass
    glass = tuple(max(0, c // 4 + rng.randint(0, 40)) for c in colour)
    inset = width // 8
    d.polygon(
        [
            (x0 + inset, top + height // 3),
            (x1 - inset, top + height // 3),
            (x1 - inset * 2, top),
            (x0 + inset * 2, top),
        ],
        fill=glass,
    )
    lamp_y = top + int(height * 0.5)
    lw, lh = width // 6, max(3, height // 10)
    lamp = rng.choice([(240, 240, 230), (200, 30, 30), (230, 150, 40)])
    d.ellipse((x0 + width // 20, lamp_y, x0 + width // 20 + lw, lamp_y + lh), fill=lamp)
    d.ellipse((x1 - width // 20 - lw, lamp_y, x1 - width // 20, lamp_y + lh), fill=lamp)
    if rng.random() < 0.6:  # grille
        gx0, gx1 = cx - width // 5, cx + width // 5
        gy0, gy1 = lamp_y, lamp_y + int(height * 0.16)
        dark = tuple(c // 3 for c in colour)
        d.rectangle((gx0, gy0, gx1, gy1), fill=dark)
        for yy in range(gy0, gy1, max(2, (gy1 - gy0) // 4)):
            d.line((gx0, yy, gx1, yy), fill=tuple(min(255, c + 60) for c in dark))
    if rng.random() < 0.7:  # brand badge / model name: text that is not a plate
        f = fonts.text_font(rng.randint(0, 5), max(6, width // rng.randint(10, 22)))
        d.text(
            (cx + rng.randint(-width // 3, width // 6), lamp_y - height // 8),
            rng.choice(_BRANDS),
            fill=rng.choice([(220, 220, 220), (20, 20, 20), (200, 180, 60)]),
            font=f,
        )
    if rng.random() < 0.3:  # dealer sticker or phone number on the body or window
        f = fonts.text_font(rng.randint(0, 5), max(6, width // rng.randint(12, 30)))
        d.text(
            (x0 + rng.randint(0, width // 2), top + rng.randint(0, height // 2)),
            rng.choice(_DEALERS),
            fill=_rgb(rng),
            font=f,
        )
    bumper_y = bottom - int(height * rng.uniform(0.18, 0.28))
    d.rectangle((x0, bumper_y - height // 12, x1, bottom), fill=tuple(max(0, c - 25) for c in colour))
    return cx + rng.randint(-width // 12, width // 12), bumper_y


# ---------------------------------------------------------------- camera effects
def _motion_blur(arr: np.ndarray, k: int, horizontal: bool) -> np.ndarray:
    acc = arr.astype(np.uint16)
    out = acc.copy()
    for i in range(1, k):
        out += np.roll(acc, i, axis=1 if horizontal else 0)
    return (out // k).astype(np.uint8)


_NOISE_TILE = 1024


@lru_cache(maxsize=1)
def _noise_tile() -> np.ndarray:
    # one fixed field of unit Gaussian noise; scenes take random windows of it (drawing fresh noise
    # per 640x480 frame cost a third of the render time)
    return np.random.default_rng(20240611).standard_normal((_NOISE_TILE, _NOISE_TILE, 3), dtype=np.float32)


def _noise(shape: tuple[int, ...], rng: random.Random) -> np.ndarray:
    h, w = shape[0], shape[1]
    tile = _noise_tile()
    if h > _NOISE_TILE or w > _NOISE_TILE:
        tile = np.tile(tile, (h // _NOISE_TILE + 1, w // _NOISE_TILE + 1, 1))
    oy, ox = rng.randint(0, tile.shape[0] - h), rng.randint(0, tile.shape[1] - w)
    win = tile[oy : oy + h, ox : ox + w]
    return win[..., rng.randint(0, 2)] if len(shape) == 2 else win[..., : shape[2]]


def camera_effects(img: Image.Image, rng: random.Random, night: bool, strength: float = 1.0) -> Image.Image:
    if night:
        img = img.convert("L")
    if rng.random() < 0.25 * strength:  # glare: a bright soft blob
        W, H = img.size
        r = rng.randint(W // 12, W // 3)
        blob = Image.new("L", (2 * r, 2 * r), 0)
        ImageDraw.Draw(blob).ellipse((0, 0, 2 * r - 1, 2 * r - 1), fill=rng.randint(80, 220))
        blob = blob.filter(ImageFilter.BoxBlur(r // 3))
        img.paste(255 if night else (255, 255, 245), (rng.randint(-r, W - r), rng.randint(-r, H - r)), blob)
    arr = np.asarray(img)
    if rng.random() < 0.25 * strength:
        arr = _motion_blur(arr, rng.randint(2, 6), rng.random() < 0.8)
    # exposure / contrast
    gain, bias = rng.uniform(0.6, 1.3), rng.uniform(-40, 30)
    if night:
        gain, bias = rng.uniform(1.1, 1.5), rng.uniform(-40, 0)
    a = arr.astype(np.float32) * gain + bias
    if rng.random() < 0.7 * strength:
        a += _noise(a.shape, rng) * rng.uniform(2, 12)
    arr = np.clip(a, 0, 255).astype(np.uint8)
    img = Image.fromarray(arr)
    if rng.random() < 0.3 * strength:
        img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.2)))
    if rng.random() < 0.7:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=rng.randint(25, 90))
        buf.seek(0)
        img = Image.open(buf)
        img.load()
    return img.convert("RGB")


# ---------------------------------------------------------------- public: scenes and crops
def render_scene(
    rng: random.Random,
    size: tuple[int, int] = (640, 480),
    plates: list[tuple[str | None, str | None]] | None = None,
    night: bool = False,
    plate_h: tuple[float, float] = (12, 48),
    turn: float = 0.0,
) -> tuple[Image.Image, list[PlateBox]]:
    """A vehicle scene with one or more plates. ``plates`` = [(text or None, country or None), ...];
    ``turn``: degrees the main plate is turned by (clockwise) beyond the usual random tilt."""
    W, H = size
    scale = H / 480
    img = _background(size, rng)
    if plates is None:
        plates = [(None, None)] * rng.choice([1, 1, 1, 2, 2, 3])
    boxes: list[PlateBox] = []
    occupied: list[tuple[float, float, float, float]] = []
    pastes: list[tuple[Image.Image, tuple[int, int]]] = []
    # further vehicles first (smaller, behind), the main one last
    order = list(range(len(plates)))[::-1]
    for k in order:
        text, country = plates[k]
        main = k == 0
        ph = rng.uniform(*plate_h) * scale * (1.0 if main else rng.uniform(0.5, 0.9))
        ph = max(plate_h[0] * scale * 0.8, ph)
        plate, text, country, variant = make_plate(text, country, rng)
        lines = 2 if plate.size[1] / plate.size[0] > 0.5 else 1
        dressed, inner = dress_plate(plate, rng, night)
        pw_est = ph * dressed.size[0] / dressed.size[1]
        veh_w = int(min(W * 1.2, pw_est * rng.uniform(3.2, 5.0)))
        for _attempt in range(6):
            cx = rng.randint(int(pw_est), max(int(pw_est) + 1, int(W - pw_est)))
            bottom = rng.randint(int(H * 0.35), int(H * 1.05))
            if not any(
                abs(cx - ox) < (veh_w + ow) / 2 * 0.8 and abs(bottom - oy) < oh for ox, oy, ow, oh in occupied
            ):
                break
        occupied.append((cx, bottom, veh_w, veh_w * 0.6))
        px, py = _vehicle(img, rng, cx, bottom, veh_w)
        rgba, (bx, by, bw, bh) = warp_plate(
            dressed, inner, ph, rng, tilt=1.0 if main else 0.7, turn=turn if main else 0.0
        )
        ox, oy = int(px - rgba.width / 2), int(py - rgba.height / 2)
        ox = min(max(ox, -int(bx)), W - int(bx + bw) - 1)
        oy = min(max(oy, -int(by)), H - int(by + bh) - 1)
        pastes.append((rgba, (ox, oy)))
        box = (round(ox + bx), round(oy + by), round(bw), round(bh))
        boxes.append(PlateBox(box, text, country, variant, lines))
    boxes.reverse()  # main plate first
    if night:  # IR at night: the scene falls dark, retro-reflective plates stay bright
        k = rng.uniform(0.35, 0.6)
        img = img.point(lambda v: int(v * k))
    for rgba, pos in pastes:  # plates last: a nearer vehicle never hides a labelled plate
        img.paste(rgba.convert("RGB"), pos, rgba)
    img = camera_effects(img, rng, night)
    return img, boxes


def render_snapshot(
    plate_text: str, country: str, rng: random.Random, size: tuple[int, int] = (640, 480), night: bool = False
) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """RGB camera snapshot of a vehicle carrying ``plate_text`` (normalised) and the plate box x, y, w, h."""
    img, boxes = render_scene(rng, size, [(plate_text, country)], night=night, plate_h=(16, 44))
    return img, boxes[0].bbox


#: reader crops: the detector box grows by these margins before reading (the engine does the same)
def jitter_box(
    box: tuple[float, float, float, float], rng: random.Random, amount: float = 0.06
) -> tuple[float, float, float, float]:
    """A box as an imperfect detector would return it."""
    x, y, w, h = box
    return (
        x + rng.gauss(0, amount) * w,
        y + rng.gauss(0, amount * 1.5) * h,
        w * (1 + rng.gauss(0, amount)),
        h * (1 + rng.gauss(0, amount * 1.5)),
    )


def render_crop(
    rng: random.Random,
    text: str | None = None,
    country: str | None = None,
    night: bool | None = None,
    tilt: float = 0.6,
) -> tuple[Image.Image, str, str, int]:
    """A reader training sample: the crop the engine would cut around a plate (``tilt``:
    ``crop_around``'s). Returns (crop, text, country, lines)."""
    if night is None:
        night = rng.random() < 0.15
    plate, text, country, _variant = make_plate(text, country, rng)
    lines = 2 if plate.size[1] / plate.size[0] > 0.5 else 1
    return crop_around(plate, rng, night, tilt=tilt), text, country, lines


def crop_around(
    plate: Image.Image,
    rng: random.Random,
    night: bool,
    plate_h: tuple[float, float] = (12, 70),
    box_error=None,
    cut=None,
    tilt: float = 0.6,
) -> Image.Image:
    """A drawn plate dressed, warped to ``plate_h`` px high on a car-coloured background and cut as
    the engine cuts a detector box (jittered): what the reader is given. ``box_error(box, rng)``
    replaces ``jitter_box`` (the detector's error), ``cut(box, size)`` the engine's ``expand_box``;
    ``tilt`` scales the perspective's spread (``warp_plate``; a scene's plates are drawn at 1.0)."""
    dressed, inner = dress_plate(plate, rng, night)
    ph = rng.uniform(*plate_h)
    rgba, (bx, by, bw, bh) = warp_plate(dressed, inner, ph, rng, tilt=tilt)
    pad_x, pad_y = int(bw * 0.5) + 4, int(bh * 0.8) + 4
    bg_size = (rgba.width + 2 * pad_x, rgba.height + 2 * pad_y)
    bg = _gradient(bg_size, rng.choice(_CAR_COLOURS), _rgb(rng), rng)
    if rng.random() < 0.3:
        _distractor_text(ImageDraw.Draw(bg), rng, (0, 0, bg_size[0], bg_size[1]), bh / 40)
    bg.paste(rgba.convert("RGB"), (pad_x, pad_y), rgba)
    box = (box_error or jitter_box)((pad_x + bx, pad_y + by, bw, bh), rng)
    crop = bg.crop((cut or expand_box)(box, bg.size))
    return camera_effects(crop, rng, night, strength=0.8)
