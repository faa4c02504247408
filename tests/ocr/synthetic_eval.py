"""Bounded synthetic evaluation of the OCR engine (numbers for the model card), not a test.

    python -m tests.ocr.synthetic_eval [--per-country 50] [--two-line 200] [--emblem 100] [--listed 20]
        [--large 60] [--listed-large 8] [--turned 30] [--models DIR] [--face FONT]

Camera-simulator snapshots (640×480, 25 % night, no camera hint) rendered from fixed seeds, so runs
are comparable before and after a change. Per set: plate found (IoU ≥ 0.5), exact reading, and
country accuracy over all plates (not found = wrong), the share reported UNKNOWN, accuracy among
exactly read plates, and precision (correct among plates given a country). For OTHER — the
renderer's generic EU / ES / BR / US-like plates — "correct" means not claimed as one of the six
countries the renderer draws natively (BE, NL, FR, DE, LU, UK).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections import Counter

from anpr.ocr.preprocess import iou
from anpr.ocr.render import formats as render_formats
from anpr.ocr.render import render_snapshot
from anpr.ocr.render import scene as render_scene_module
from anpr.ocr.render.plate import make_plate

NATIVE = ("BE", "NL", "FR", "DE", "LU", "UK")


def _score(engine, img, box, text: str, country: str, stats: Counter, ms: list[float]) -> None:
    t0 = time.perf_counter()
    plates = engine.read(img)
    ms.append((time.perf_counter() - t0) * 1000)
    hit = [p for p in plates if iou(p.bbox, box) >= 0.5]
    stats["n"] += 1
    if not hit:
        return
    p = hit[0]
    stats["found"] += 1
    stats["exact"] += p.text == text
    ok = p.country not in NATIVE if country == "OTHER" else p.country == country
    stats["country_ok"] += ok
    stats["country_unknown"] += p.country == "UNKNOWN"
    stats["country_claimed"] += p.country != "UNKNOWN"
    stats["country_claimed_ok"] += p.country != "UNKNOWN" and ok
    stats["country_ok_when_exact"] += ok and p.text == text
    stats["exact_n"] += p.text == text


def per_country(engine, n: int, seed: int = 5000) -> dict:
    out = {}
    for ci, c in enumerate(NATIVE + ("OTHER",)):
        stats: Counter = Counter()
        ms: list[float] = []
        for i in range(n):
            rng = random.Random(seed + 1000 * ci + i)
            text, _variant = render_formats.random_plate(c, rng)
            img, box = render_snapshot(text, c, rng, night=i % 4 == 0)
            _score(engine, img, box, text, c, stats, ms)
        out[c] = _row(stats, ms)
    return out


def large(engine, n: int, seed: int = 5000) -> dict:
    """Close-ups: the per-country plates drawn 50-110 px high in the 640×480 frame (a camera close
    to the lane, a photo taken by hand); ``n`` draws per country, those whose plate leaves the frame
    skipped (their end characters are not in the image)."""
    stats: Counter = Counter()
    ms: list[float] = []
    for ci, c in enumerate(NATIVE + ("OTHER",)):
        for i in range(n):
            rng = random.Random(seed + 1000 * ci + i)
            text, _variant = render_formats.random_plate(c, rng)
            img, boxes = render_scene_module.render_scene(
                rng, (640, 480), [(text, c)], night=i % 4 == 0, plate_h=(50, 110)
            )
            x, y, w, h = boxes[0].bbox
            if x <= 2 or y <= 2 or x + w >= img.width - 2 or y + h >= img.height - 2:
                continue
            _score(engine, img, boxes[0].bbox, text, c, stats, ms)
    return _row(stats, ms)


def turned(engine, n: int, seed: int = 13000) -> dict:
    """Turned plates: the per-country plates drawn 40-90 px high in the 640×480 frame and turned
    10-35° either way beyond the usual tilt (a hand-held photo, a plate hung crooked); ``n`` draws
    per country, those whose plate leaves the frame skipped."""
    stats: Counter = Counter()
    ms: list[float] = []
    for ci, c in enumerate(NATIVE + ("OTHER",)):
        for i in range(n):
            rng = random.Random(seed + 1000 * ci + i)
            text, _variant = render_formats.random_plate(c, rng)
            turn = rng.choice((-1, 1)) * rng.uniform(10, 35)
            img, boxes = render_scene_module.render_scene(
                rng, (640, 480), [(text, c)], night=i % 4 == 0, plate_h=(40, 90), turn=turn
            )
            x, y, w, h = boxes[0].bbox
            if x <= 2 or y <= 2 or x + w >= img.width - 2 or y + h >= img.height - 2:
                continue
            _score(engine, img, boxes[0].bbox, text, c, stats, ms)
    return _row(stats, ms)


def listed(engine, n: int, seed: int = 11000, close_up: bool = False) -> dict:
    """Every formats.json country: ``n`` snapshots each of random plates of its formats (one- and
    two-line), drawn with the country's band letters in the renderer's generic look (the six
    native countries in their own look). Country right = that country reported. With
    ``close_up``, the same draws 50-110 px high (those whose plate leaves the frame skipped)."""
    from anpr.ocr.grammar import default_grammar

    out = {}
    for ci, c in enumerate(sorted(default_grammar().countries)):
        stats: Counter = Counter()
        ms: list[float] = []
        for i in range(n):
            rng = random.Random(seed + 1000 * ci + i)
            if c in NATIVE:
                text, _variant = render_formats.random_plate(c, rng)
            else:
                text, _, _ = render_formats.random_format_plate(rng, None, c)
            if close_up:
                img, boxes = render_scene_module.render_scene(
                    rng, (640, 480), [(text, c)], night=i % 4 == 0, plate_h=(50, 110)
                )
                box = boxes[0].bbox
                x, y, w, h = box
                if x <= 2 or y <= 2 or x + w >= img.width - 2 or y + h >= img.height - 2:
                    continue
            else:
                img, box = render_snapshot(text, c, rng, night=i % 4 == 0)
            _score(engine, img, box, text, c, stats, ms)
        out[c] = _row(stats, ms)
    return out


#: snapshot plates are drawn 16-44 px high (``render_snapshot``); a two-line plate seen from where
#: a one-line plate is that high is taller by the ratio of their heights (the renderer's 280×200 mm
#: motorcycle plate, 520×110 mm car plate)
TWO_LINE_PHYSICAL_SCALE = 200 / 110


def two_line(engine, n: int, seed: int = 9000, physical: bool = False) -> dict:
    """Belgian motorcycle plates (``M-ABC/123``). By default drawn 16-44 px high like every other
    set's plates, i.e. at the pixel height of a car plate, so from 1.8× further away than the car
    plates (each row 5-13 px high); with ``physical``, at the size a motorcycle plate has where a
    car plate would be 16-44 px high (the same seeds and scenes otherwise)."""
    stats: Counter = Counter()
    ms: list[float] = []
    k = TWO_LINE_PHYSICAL_SCALE if physical else 1.0
    for i in range(n):
        rng = random.Random(seed + i)
        text = "M" + "".join(rng.choice(render_formats.L) for _ in range(3))
        text += "".join(rng.choice(render_formats.D) for _ in range(3))
        if physical:
            img, boxes = render_scene_module.render_scene(
                rng, (640, 480), [(text, "BE")], night=i % 4 == 0, plate_h=(16 * k, 44 * k)
            )
            box = boxes[0].bbox
        else:
            img, box = render_snapshot(text, "BE", rng, night=i % 4 == 0)
        _score(engine, img, box, text, "BE", stats, ms)
    return _row(stats, ms)


def emblem(engine, n: int, seed: int = 7000) -> dict:
    """HR / SRB / SI / BiH / MK-style plates: a coat of arms between the first two groups."""
    stats: Counter = Counter()
    ms: list[float] = []
    real = render_scene_module.make_plate
    try:
        render_scene_module.make_plate = lambda text, country, rng, variant=None: make_plate(
            text, country, rng, "emblem"
        )
        for i in range(n):
            rng = random.Random(seed + i)
            text = "".join(rng.choice(render_formats.L) for _ in range(2))
            text += "".join(rng.choice(render_formats.D) for _ in range(rng.choice([3, 3, 4])))
            text += "".join(rng.choice(render_formats.L) for _ in range(rng.choice([1, 2, 2])))
            img, box = render_snapshot(text, "OTHER", rng, night=i % 4 == 0)
            _score(engine, img, box, text, "OTHER", stats, ms)
    finally:
        render_scene_module.make_plate = real
    return _row(stats, ms)


def _row(s: Counter, ms: list[float]) -> dict:
    n = max(1, s["n"])
    return {
        "n": s["n"],
        "found_%": round(100 * s["found"] / n, 1),
        "exact_%": round(100 * s["exact"] / n, 1),
        "country_%": round(100 * s["country_ok"] / n, 1),
        "country_unknown_%": round(100 * s["country_unknown"] / n, 1),
        "country_%_of_exact": round(100 * s["country_ok_when_exact"] / max(1, s["exact_n"]), 1),
        "country_precision_%": round(100 * s["country_claimed_ok"] / max(1, s["country_claimed"]), 1),
        "median_ms": round(statistics.median(ms), 2) if ms else None,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-country", type=int, default=50)
    ap.add_argument("--two-line", type=int, default=200)
    ap.add_argument("--emblem", type=int, default=100)
    ap.add_argument("--listed", type=int, default=0, help="snapshots per formats.json country")
    ap.add_argument("--large", type=int, default=0, help="close-up draws per country (50-110 px plates)")
    ap.add_argument("--listed-large", type=int, default=0, help="close-up draws per formats.json country")
    ap.add_argument("--turned", type=int, default=0, help="turned plate draws per country (10-35°)")
    ap.add_argument("--models", default=None, help="model folder (default: the shipped models)")
    ap.add_argument(
        "--face",
        default=None,
        help="draw every plate in this face: an installed font file (LiberationSansNarrow-Bold.ttf) or a "
        "drawn style (fe, kenteken, cw, din_round); default: the renderer's mix",
    )
    args = ap.parse_args(argv)
    if args.face:
        from anpr.ocr.render import fonts

        fonts.use_only_face(args.face)
    from anpr.ocr.tflite_engine import TfliteEngine

    engine = TfliteEngine.load(args.models)
    result = {}
    if args.two_line:
        result["two_line_be_moto"] = two_line(engine, args.two_line)
        print("two_line", result["two_line_be_moto"], flush=True)
        result["two_line_be_moto_physical"] = two_line(engine, args.two_line, physical=True)
        print("two_line, physical size", result["two_line_be_moto_physical"], flush=True)
    if args.emblem:
        result["emblem"] = emblem(engine, args.emblem)
        print("emblem", result["emblem"], flush=True)
    if args.large:
        result["large"] = large(engine, args.large)
        print("large", result["large"], flush=True)
    if args.turned:
        result["turned"] = turned(engine, args.turned)
        print("turned", result["turned"], flush=True)
    if args.per_country:
        result["per_country"] = per_country(engine, args.per_country)
        for c, row in result["per_country"].items():
            print(c, row, flush=True)
    if args.listed:
        result["listed"] = listed(engine, args.listed)
        rows = result["listed"].values()
        print(
            "listed, all countries:",
            {k: round(statistics.mean(r[k] for r in rows), 1) for k in ("found_%", "exact_%", "country_%")},
            flush=True,
        )
    if args.listed_large:
        result["listed_large"] = listed(engine, args.listed_large, close_up=True)
        rows = [r for r in result["listed_large"].values() if r["n"]]
        total = sum(r["n"] for r in rows)
        print(
            f"listed, close-ups, all countries ({total} snapshots):",
            {
                k: round(sum(r[k] * r["n"] for r in rows) / total, 1)
                for k in ("found_%", "exact_%", "country_%")
            },
            flush=True,
        )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
