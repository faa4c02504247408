"""Training data: synthetic crops/scenes from ``anpr.ocr.render`` and the real sets in ../shared.

Real sets are split once, deterministically: uc3m by the dataset's own train/val split, openalpr by a
hash of the file name (30 % held out). Held-out images are only ever used for reporting.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import multiprocessing as mp
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from anpr.ocr.band import band_input, band_letters
from anpr.ocr.preprocess import (
    ALPHABET,
    DET_H,
    DET_STRIDE,
    DET_W,
    READER_H,
    READER_W,
    TALL_H,
    TALL_W,
    detector_input,
    is_two_line,
    reader_input,
    tall_input,
)
from anpr.ocr.render import fonts
from anpr.ocr.render.formats import Layout, band_of, random_format_plate
from anpr.ocr.render.plate import draw_plate, make_plate
from anpr.ocr.render.scene import (
    camera_effects,
    crop_around,
    expand_box,
    jitter_box,
    render_crop,
    render_scene,
)
from anpr.ocr.rows import row_input, rows_box, split_rows
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
REAL_DIR = REPO.parent / "shared" / "data" / "real_plates"
SCENE_SETS = ("openalpr_br", "openalpr_us", "uc3m_scenes")
MAX_LABEL = 12


@dataclass(frozen=True)
class RealItem:
    path: Path
    box: tuple[int, int, int, int]
    text: str  # visible characters (uc3m: masked ones left out)
    pattern: str  # uc3m: full pattern with '*'; others: text
    held_out: bool


def real_available() -> bool:
    return REAL_DIR.is_dir()


def _held_out(name: str) -> bool:
    return int(hashlib.sha1(name.encode()).hexdigest(), 16) % 10 < 3


def load_real(name: str) -> list[RealItem]:
    d = REAL_DIR / name
    if not d.is_dir():
        return []
    meta = {}
    if (d / "meta.tsv").exists():
        with open(d / "meta.tsv") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                meta[row["sample"]] = row
    items = []
    for txt in sorted(d.glob("*.txt")):
        parts = txt.read_text().strip().split("\t")
        if len(parts) < 6:
            continue
        fname, x, y, w, h, plate = parts[:6]
        stem = Path(fname).stem
        if name.startswith("uc3m"):
            held = stem.startswith("val")
            pattern = meta.get(stem, {}).get("lp_id_masked(*=anonymised)", plate)
        else:
            held = _held_out(stem)
            pattern = plate
        items.append(RealItem(d / fname, (int(x), int(y), int(w), int(h)), plate, pattern, held))
    return items


def encode(text: str) -> np.ndarray:
    lab = np.full((MAX_LABEL,), 0, dtype=np.int32)
    t = [ALPHABET.index(c) for c in text if c in ALPHABET][:MAX_LABEL]
    lab[: len(t)] = t
    return lab


# ---------------------------------------------------------------- reader samples
def _synth_crop_chunk(tilt: float, args: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Crops of the renderer's plates, warped with ``tilt`` (``crop_around``)."""
    seed, n = args
    rng = random.Random(seed)
    xs = np.zeros((n, READER_H, READER_W), dtype=np.uint8)
    ys = np.zeros((n, MAX_LABEL), dtype=np.int32)
    ls = np.zeros((n,), dtype=np.int32)
    for i in range(n):
        crop, text, _, lines = render_crop(rng, tilt=tilt)
        xs[i] = (reader_input(crop, lines == 2) * 255).astype(np.uint8)
        ys[i] = encode(text)
        ls[i] = min(len(text), MAX_LABEL)
    return xs, ys, ls


def _render_chunks(render, n: int, base_seed: int, workers: int, chunk: int) -> tuple[np.ndarray, ...]:
    """Render ``n`` samples in chunks of ``chunk``, chunk k seeded ``base_seed + k`` (the same data
    whatever the number of workers), and concatenate them."""
    jobs = [(base_seed + k, min(chunk, n - k * chunk)) for k in range((n + chunk - 1) // chunk)]
    if workers > 1 and len(jobs) > 1:
        with mp.get_context("fork").Pool(workers) as pool:
            parts = pool.map(render, jobs)
    else:
        parts = [render(j) for j in jobs]
    return tuple(np.concatenate(p) for p in zip(*parts, strict=True))


def _in_drawn_faces(render, share: float, job: tuple[int, int]) -> tuple[np.ndarray, ...]:
    """One chunk with ``share`` of its plates in typefaces the renderer draws (``render.strokes``:
    FE-Schrift-, kenteken- and Charles-Wright-like); 0 renders exactly as before they existed."""
    with fonts.drawn_faces(share):
        return render(job)


def _faces(render, share: float):
    return functools.partial(_in_drawn_faces, render, share) if share else render


def synth_reader_set(
    n: int, seed: int, workers: int = 2, chunk: int = 500, drawn: float = 0.0, tilt: float = 0.6
) -> tuple[np.ndarray, ...]:
    render = functools.partial(_synth_crop_chunk, tilt)
    return _render_chunks(_faces(render, drawn), n, seed * 100_003, workers, chunk)


# ---------------------------------------------------------------- every listed country's formats
def _format_crop(
    rng: random.Random, two_line: bool | None, plate_h, night: bool | None = None, **cutting
) -> tuple[Image.Image, Layout, str]:
    """A crop of a random listed plate, with its country's band letters (85 %) or no band
    (``cutting``: ``crop_around``'s box error and cut)."""
    _, layout, country = random_format_plate(rng, two_line, as_trained=True)
    band = band_of(country) if rng.random() < 0.85 else ""
    plate = draw_plate(layout, "emblem" if layout.sep == "*" else "generic", rng, band=band)
    night = rng.random() < 0.15 if night is None else night
    return crop_around(plate, rng, night, plate_h, **cutting), layout, band


def _detector_two_line_box(
    box: tuple[float, float, float, float], rng: random.Random
) -> tuple[float, float, float, float]:
    """A two-line plate's box as the shipped detector returns it on camera snapshots (measured on
    300 synthetic Belgian motorcycle snapshots, 2026-12-01: the top edge 4.6 % of the plate's
    height inside it, sd 11 %; the bottom edge 3.3 % inside, sd 9 %; left 2.5 % inside, sd 8 %;
    right sd 6 %). The truth's box only jittered (``jitter_box``) is rarely cut like this."""
    x, y, w, h = box
    top, bottom = rng.gauss(0.046, 0.11) * h, rng.gauss(-0.033, 0.09) * h
    left, right = rng.gauss(0.025, 0.08) * w, rng.gauss(-0.006, 0.064) * w
    return (x + left, y + top, max(4.0, w - left + right), max(4.0, h - top + bottom))


def _rows_cut(rng: random.Random):
    """The engine's cut for the row pass: ``rows.rows_box`` (a flat box grown to a two-line
    shape), at one of the engine's crop paddings (``tflite_engine.CROP_VARIANTS``)."""
    from anpr.ocr.tflite_engine import CROP_VARIANTS, _pad_box

    def cut(box, size):
        return _pad_box(rows_box(box) or box, size, *rng.choice(CROP_VARIANTS))

    return cut


def _synth_format_chunk(tilt: float, args: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reader crops of every listed country's formats (the renderer's generic look), warped with
    ``tilt``."""
    seed, n = args
    rng = random.Random(seed)
    xs, ys, ls = [], [], []
    for _ in range(n):
        crop, layout, _ = _format_crop(rng, None, (12, 70), tilt=tilt)
        xs.append((reader_input(crop, len(layout.lines) == 2) * 255).astype(np.uint8))
        ys.append(encode(layout.text))
        ls.append(min(len(layout.text), MAX_LABEL))
    return _reader_arrays(xs, ys, ls)


def _synth_row_chunk(tilt: float, args: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of two-line plates as the engine's row pass reads them (``rows.split_rows`` then
    ``rows.row_input``), each labelled with its own characters: Belgian motorcycle plates and
    every listed two-line format, mostly small (rows of 5–20 px as on camera snapshots), warped
    with ``tilt``."""
    seed, n = args
    rng = random.Random(seed)
    xs, ys, ls = [], [], []
    for _ in range(n):
        # half cut at the truth's box jittered, half as the detector boxes them (see the function)
        cutting = {"box_error": _detector_two_line_box, "cut": _rows_cut(rng)} if rng.random() < 0.5 else {}
        cutting["tilt"] = tilt
        plate_h = (14, 40) if rng.random() < 0.75 else (40, 70)
        if rng.random() < 0.5:
            plate, text, _, _ = make_plate(
                rng.choice("M")
                + "".join(rng.choice(ALPHABET[10:]) for _ in range(3))
                + "".join(rng.choice(ALPHABET[:10]) for _ in range(3)),
                "BE",
                rng,
            )
            layout = Layout(((text[:4],), (text[4:],)))
            crop = crop_around(plate, rng, rng.random() < 0.15, plate_h, **cutting)
        else:
            crop, layout, _ = _format_crop(rng, True, plate_h, **cutting)
        # the engine also cuts a pixel above and below the gap found (``ROW_GAP_OFFSETS``)
        rows = split_rows(crop, rng.choice((0, 0, -1, 1)))
        if rows is None or len(layout.lines) != 2:
            continue
        for row, groups in zip(rows, layout.lines, strict=True):
            label = "".join(groups)
            xs.append((row_input(row) * 255).astype(np.uint8))
            ys.append(encode(label))
            ls.append(min(len(label), MAX_LABEL))
    return _reader_arrays(xs, ys, ls)


def _two_line_crop(rng: random.Random, plate_h, tilt: float) -> tuple[Image.Image, Layout] | None:
    """A two-line plate cut as the engine cuts it for a two-line reading: half at the truth's box
    jittered, half as the detector boxes them and grown by ``rows.rows_box``; half Belgian
    motorcycle plates, half every listed two-line format; ``tilt``: ``crop_around``'s."""
    cutting = {"box_error": _detector_two_line_box, "cut": _rows_cut(rng)} if rng.random() < 0.5 else {}
    cutting["tilt"] = tilt
    if rng.random() < 0.5:
        plate, text, _, _ = make_plate(
            "M"
            + "".join(rng.choice(ALPHABET[10:]) for _ in range(3))
            + "".join(rng.choice(ALPHABET[:10]) for _ in range(3)),
            "BE",
            rng,
        )
        return crop_around(plate, rng, rng.random() < 0.15, plate_h, **cutting), Layout(
            ((text[:4],), (text[4:],))
        )
    crop, layout, _ = _format_crop(rng, True, plate_h, **cutting)
    return (crop, layout) if len(layout.lines) == 2 else None


def _synth_tall_chunk(tilt: float, args: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two-line plates read whole by the two-line reader (``preprocess.tall_input``), labelled top
    row then bottom row; mostly small (12–44 px high: rows of 5–20 px, as on camera snapshots);
    warped with ``tilt`` (``crop_around``)."""
    seed, n = args
    rng = random.Random(seed)
    xs, ys, ls = [], [], []
    for _ in range(n):
        got = _two_line_crop(rng, (12, 44) if rng.random() < 0.7 else (44, 90), tilt)
        if got is None:
            continue
        crop, layout = got
        label = "".join("".join(groups) for groups in layout.lines)
        xs.append((tall_input(crop) * 255).astype(np.uint8))
        ys.append(encode(label))
        ls.append(min(len(label), MAX_LABEL))
    if not xs:
        return (
            np.zeros((0, TALL_H, TALL_W), np.uint8),
            np.zeros((0, MAX_LABEL), np.int32),
            np.zeros((0,), np.int32),
        )
    return np.stack(xs), np.stack(ys), np.asarray(ls, dtype=np.int32)


def synth_tall_set(
    n: int, seed: int, workers: int = 2, chunk: int = 250, drawn: float = 0.0, tilt: float = 0.6
) -> tuple[np.ndarray, ...]:
    """Up to ``n`` two-line plates for the two-line reader."""
    render = functools.partial(_synth_tall_chunk, tilt)
    return _render_chunks(_faces(render, drawn), n, seed * 100_103, workers, chunk)


def _synth_band_chunk(tilt: float, args: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The EU band's letters as the engine cuts them (``anpr.ocr.band``), labelled with the band
    code of the plate's country; crops where no band is found are skipped; warped with ``tilt``."""
    seed, n = args
    rng = random.Random(seed)
    xs, ys, ls = [], [], []
    for _ in range(n):
        crop, _, band = _format_crop(rng, False, (18, 80), night=False, tilt=tilt)
        letters = band_letters(crop) if band else None
        if letters is None:
            continue
        xs.append((band_input(letters) * 255).astype(np.uint8))
        ys.append(encode(band))
        ls.append(len(band))
    return _reader_arrays(xs, ys, ls)


def synth_band_set(
    n: int, seed: int, workers: int = 2, chunk: int = 500, tilt: float = 0.6
) -> tuple[np.ndarray, ...]:
    render = functools.partial(_synth_band_chunk, tilt)
    return _render_chunks(render, n, seed * 100_069, workers, chunk)


def synth_format_set(
    n: int, seed: int, workers: int = 2, chunk: int = 500, drawn: float = 0.0, tilt: float = 0.6
) -> tuple[np.ndarray, ...]:
    render = functools.partial(_synth_format_chunk, tilt)
    return _render_chunks(_faces(render, drawn), n, seed * 100_043, workers, chunk)


def synth_row_set(
    n: int, seed: int, workers: int = 2, chunk: int = 250, drawn: float = 0.0, tilt: float = 0.6
) -> tuple[np.ndarray, ...]:
    """About 2 × ``n`` row samples (two rows per plate; plates too small to split are skipped)."""
    render = functools.partial(_synth_row_chunk, tilt)
    return _render_chunks(_faces(render, drawn), n, seed * 100_057, workers, chunk)


def real_crop(item: RealItem, rng: random.Random | None) -> tuple[Image.Image, bool]:
    """The crop the engine would read for a real plate (jittered when ``rng`` is given)."""
    img = Image.open(item.path)
    img.load()
    img = img.convert("RGB")
    x, y, w, h = item.box
    if item.path.parent.name == "uc3m_crops":  # already a tight plate crop
        if rng:
            W, H = img.size
            pad = [int(rng.uniform(-0.04, 0.08) * s) for s in (W, H, W, H)]
            canvas = Image.new(
                "RGB",
                (W + max(0, pad[0]) + max(0, pad[2]), H + max(0, pad[1]) + max(0, pad[3])),
                tuple(int(v) for v in np.asarray(img).reshape(-1, 3).mean(0)),
            )
            canvas.paste(img, (max(0, pad[0]), max(0, pad[1])))
            img = canvas.crop(
                (
                    max(0, -pad[0]),
                    max(0, -pad[1]),
                    canvas.width - max(0, -pad[2]),
                    canvas.height - max(0, -pad[3]),
                )
            )
        return img, is_two_line(w, h)
    box = jitter_box((x, y, w, h), rng, 0.05) if rng else (x, y, w, h)
    return img.crop(expand_box(box, img.size)), is_two_line(w, h)


def real_reader_set(
    names: tuple[str, ...], copies: int, seed: int, held_out: bool, limit: int | None = None
) -> tuple[np.ndarray, ...]:
    rng = random.Random(seed)
    xs, ys, ls = [], [], []
    for name in names:
        items = [it for it in load_real(name) if it.held_out == held_out][:limit]
        for it in items:
            for c in range(copies):
                crop, two = real_crop(it, rng if (copies > 1 or c > 0) else None)
                if copies > 1 and rng.random() < 0.3:
                    crop = camera_effects(crop, rng, night=False, strength=0.3)
                xs.append((reader_input(crop, two) * 255).astype(np.uint8))
                ys.append(encode(it.text))
                ls.append(min(len(it.text), MAX_LABEL))
    return _reader_arrays(xs, ys, ls)


def _reader_arrays(xs: list, ys: list, ls: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reader samples as (images uint8, padded labels, label lengths); empty arrays if none."""
    if not xs:
        return (
            np.zeros((0, READER_H, READER_W), np.uint8),
            np.zeros((0, MAX_LABEL), np.int32),
            np.zeros((0,), np.int32),
        )
    return np.stack(xs), np.stack(ys), np.asarray(ls, dtype=np.int32)


# ---------------------------------------------------------------- detector samples
GH, GW = DET_H // DET_STRIDE, DET_W // DET_STRIDE


def det_targets(boxes: list[tuple[float, float, float, float]]) -> np.ndarray:
    """(GH, GW, 6): heat, log w, log h, off x, off y, centre mask. Boxes in detector-input px."""
    t = np.zeros((GH, GW, 6), dtype=np.float32)
    yy, xx = np.mgrid[0:GH, 0:GW]
    for x, y, w, h in boxes:
        if w < 2 or h < 2:
            continue
        cx, cy = (x + w / 2) / DET_STRIDE, (y + h / 2) / DET_STRIDE
        gx, gy = int(cx), int(cy)
        if not (0 <= gx < GW and 0 <= gy < GH):
            continue
        sx, sy = max(0.5, w / DET_STRIDE / 5), max(0.5, h / DET_STRIDE / 4)
        g = np.exp(-((xx + 0.5 - cx) ** 2) / (2 * sx * sx) - ((yy + 0.5 - cy) ** 2) / (2 * sy * sy))
        t[..., 0] = np.maximum(t[..., 0], g)
        t[gy, gx, 0] = 1.0
        t[gy, gx, 1:3] = np.log(w / DET_STRIDE), np.log(h / DET_STRIDE)
        t[gy, gx, 3:5] = cx - gx - 0.5, cy - gy - 0.5
        t[gy, gx, 5] = 1.0
    return t


def _synth_scene_chunk(args: tuple[int, int], turned: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` detector scenes; ``turned``: the share whose main plate is turned 10-40° either way
    (drawn from the scene's own generator only when > 0, so 0 renders exactly as before)."""
    seed, n = args
    rng = random.Random(seed)
    xs = np.zeros((n, DET_H, DET_W), dtype=np.uint8)
    ts = np.zeros((n, GH, GW, 6), dtype=np.float32)
    for i in range(n):
        r = rng.random()
        if r < 0.3:
            size, ph = (640, 480), (12, 48)
        elif r < 0.5:
            size, ph = (rng.choice([(320, 240), (640, 480)])), (40, 130)
        else:
            size, ph = (320, 240), (12, 48)
        turn = rng.choice((-1, 1)) * rng.uniform(10, 40) if turned and rng.random() < turned else 0.0
        img, boxes = render_scene(rng, size, night=rng.random() < 0.15, plate_h=ph, turn=turn)
        a, s = detector_input(img)
        xs[i] = (a * 255).astype(np.uint8)
        ts[i] = det_targets([(b.bbox[0] * s, b.bbox[1] * s, b.bbox[2] * s, b.bbox[3] * s) for b in boxes])
    return xs, ts


def synth_detector_set(
    n: int, seed: int, workers: int = 2, chunk: int = 250, turned: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    render = functools.partial(_synth_scene_chunk, turned=turned) if turned else _synth_scene_chunk
    return _render_chunks(render, n, seed * 100_019, workers, chunk)  # type: ignore[return-value]


def real_detector_set(
    names: tuple[str, ...], copies: int, seed: int, held_out: bool, limit: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Real scenes, augmented by random crops/zooms (copies > 1) so plates appear at several scales."""
    rng = random.Random(seed)
    xs, ts = [], []
    for name in names:
        for it in [i for i in load_real(name) if i.held_out == held_out][:limit]:
            img = Image.open(it.path).convert("RGB")
            for c in range(copies):
                x, y, w, h = it.box
                im = img
                if c > 0:  # random crop keeping the plate, zooming in or out
                    W, H = img.size
                    cw = int(W * rng.uniform(0.45, 1.0))
                    ch = min(H, int(cw * rng.uniform(0.7, 0.8)))
                    cx0 = rng.randint(max(0, x + w - cw), max(0, min(x, W - cw))) if cw >= w else 0
                    cy0 = rng.randint(max(0, y + h - ch), max(0, min(y, H - ch))) if ch >= h else 0
                    im = img.crop((cx0, cy0, cx0 + cw, cy0 + ch))
                    x, y = x - cx0, y - cy0
                    if rng.random() < 0.5:
                        im = im.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
                        x = im.width - x - w
                a, s = detector_input(im)
                xs.append((a * 255).astype(np.uint8))
                ts.append(det_targets([(x * s, y * s, w * s, h * s)]))
    if not xs:
        return np.zeros((0, DET_H, DET_W), np.uint8), np.zeros((0, GH, GW, 6), np.float32)
    return np.stack(xs), np.stack(ts)


def detector_box_reader_set(
    names: tuple[str, ...], detect, copies: int, seed: int, limit: int | None = None
) -> tuple[np.ndarray, ...]:
    """Reader crops cut where the trained detector puts the box (training split only): the reader
    learns the boxes it will really get, not only the annotators' boxes."""
    from anpr.ocr.preprocess import iou

    rng = random.Random(seed)
    xs, ys, ls = [], [], []
    for name in names:
        for it in [i for i in load_real(name) if not i.held_out][:limit]:
            img = Image.open(it.path).convert("RGB")
            boxes = [b for _, b in detect(img) if iou(b, it.box) >= 0.5]
            if not boxes:
                continue
            for c in range(copies):
                box = jitter_box(boxes[0], rng, 0.03) if c else boxes[0]
                _, _, w, h = box
                crop = img.crop(expand_box(box, img.size))
                xs.append((reader_input(crop, is_two_line(w, h)) * 255).astype(np.uint8))
                ys.append(encode(it.text))
                ls.append(min(len(it.text), MAX_LABEL))
    return _reader_arrays(xs, ys, ls)
