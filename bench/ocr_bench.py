"""``make bench-ocr``: our TFLite engine vs the PP-OCRv4 baseline (RapidOCR) on the real plate sets.

Per set: exact match %, character accuracy %, detection recall % (IoU ≥ 0.5, and by the baseline's
centre rule for both systems), median / p90 ms per
image, pinned to one CPU core; plus model load time. Our models are scored on the held-out split of
each set only (the part training never sees); the baseline runs on the same images.

Baseline scoring is lenient: PP-OCR finds text lines, not plates, so a plate counts as detected when
a text box centred inside the true plate box holds ≥ 3 characters, and as read when that text (or the
concatenation of all such boxes) equals the plate.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from anpr.reads.plates import normalise

from training.data import REAL_DIR
from training.evaluate import (
    SetResult,
    centred_in,
    engine_reader,
    engine_system,
    eval_crops,
    eval_scenes,
    held_out,
)

SCENE_SETS = ("openalpr_br", "openalpr_us", "uc3m_scenes")
CROP_SETS = ("uc3m_crops",)


def pin_one_core() -> str:
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    except (AttributeError, OSError):
        return "not pinned (no sched_setaffinity)"


def machine() -> str:
    try:
        from bench.machine import details

        return "; ".join(f"{k} {v}" for k, v in details().items())
    except ImportError:
        pass
    model = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}; {os.cpu_count()} logical CPUs; {platform.system()} {platform.release()}; Python {platform.python_version()}"


# ---------------------------------------------------------------- baseline
class PpOcrBaseline:
    name = "PP-OCRv4 (rapidocr-onnxruntime)"

    def __init__(self):
        t0 = time.perf_counter()
        from rapidocr_onnxruntime import RapidOCR

        self.ocr = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)
        import numpy as np

        self.np = np
        self.ocr(np.full((64, 200, 3), 255, np.uint8))  # warm-up, as for ours
        self.load_ms = (time.perf_counter() - t0) * 1000

    def system(self, img: Image.Image):
        res, _ = self.ocr(self.np.asarray(img)[:, :, ::-1].copy())
        out = []
        for quad, text, _score in res or []:
            xs, ys = [p[0] for p in quad], [p[1] for p in quad]
            out.append((normalise(text), (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))))
        return out

    def reader(self, crop: Image.Image, _aspect: float) -> str:
        res, _ = self.ocr(self.np.asarray(crop)[:, :, ::-1].copy(), use_det=False, use_cls=False)
        return normalise("".join(r[0] for r in res or []))


def _baseline_scene_system(base: PpOcrBaseline):
    """Group PP-OCR text boxes per true plate box (the lenient matching described above)."""

    def run(img):
        return base.system(img)

    return run


def _baseline_eval_scenes(name: str, base: PpOcrBaseline, items, read_scored: bool) -> SetResult:
    # text lines are not plate boxes: no IoU figure, only the centre rule
    res = SetResult(name, read_scored=read_scored, det_iou_scored=False)
    for it in items:
        img = Image.open(it.path).convert("RGB")
        t0 = time.perf_counter()
        boxes = base.system(img)
        res.ms.append((time.perf_counter() - t0) * 1000)
        res.n += 1
        inside = [(b, t) for t, b in boxes if centred_in(b, it.box)]
        texts = [t for _, t in sorted(inside, key=lambda bt: (bt[0][1], bt[0][0]))]
        res.detected_centre += any(len(t) >= 3 for t in texts)
        if read_scored:
            cands = texts + ["".join(texts)]
            from training.evaluate import char_accuracy

            best = max(cands, key=lambda c: char_accuracy(c, it.text)) if cands else ""
            res.exact += best == it.text
            res.char_acc += char_accuracy(best, it.text)
    return res


# ---------------------------------------------------------------- table
def _fmt(v) -> str:
    return "–" if v is None else str(v)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--limit", type=int, default=None, help="images per set (default: the whole held-out split)"
    )
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--models", default=None)
    args = ap.parse_args(argv)
    if not REAL_DIR.is_dir():
        print(f"bench-ocr skipped: real plate photos not found at {REAL_DIR} (they live outside the repo)")
        return 0
    pinned = pin_one_core()
    from anpr.ocr.tflite_engine import TfliteEngine

    t0 = time.perf_counter()
    engine = TfliteEngine.load(args.models)
    ours_load = (time.perf_counter() - t0) * 1000
    systems: list[tuple[str, float, list[SetResult]]] = []
    ours = []
    for name in SCENE_SETS:
        items = held_out(name, args.limit)
        if items:
            ours.append(eval_scenes(name, engine_system(engine), items, read_scored=name != "uc3m_scenes"))
            print(f"ours {name}: {ours[-1].row()}", file=sys.stderr)
    for name in CROP_SETS:
        items = held_out(name, args.limit)
        if items:
            ours.append(eval_crops(name, engine_reader(engine), items))
            print(f"ours {name}: {ours[-1].row()}", file=sys.stderr)
    systems.append((f"ours (TFLite, {engine.model_dir})", ours_load, ours))
    if not args.no_baseline:
        try:
            base = PpOcrBaseline()
        except ImportError:
            print(
                "baseline skipped: pip install -r requirements/bench.txt (rapidocr-onnxruntime)",
                file=sys.stderr,
            )
        else:
            theirs = []
            for name in SCENE_SETS:
                items = held_out(name, args.limit)
                if items:
                    theirs.append(_baseline_eval_scenes(name, base, items, read_scored=name != "uc3m_scenes"))
                    print(f"pp-ocr {name}: {theirs[-1].row()}", file=sys.stderr)
            for name in CROP_SETS:
                items = held_out(name, args.limit)
                if items:
                    theirs.append(eval_crops(name, base.reader, items))
                    print(f"pp-ocr {name}: {theirs[-1].row()}", file=sys.stderr)
            systems.append((base.name, base.load_ms, theirs))
    print(f"\nOCR benchmark — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"Machine: {machine()}; {pinned}")
    print("Held-out split of each set (openalpr: 30 % by file-name hash; uc3m: the dataset's val split).")
    print(
        "uc3m_crops: scored on the visible characters (2 per plate are masked); uc3m_scenes: detection only.\n"
    )
    head = [
        "system",
        "set",
        "n",
        "exact %",
        "char acc %",
        "det IoU≥.5 %",
        "det centre %",
        "median ms",
        "p90 ms",
        "load ms",
    ]
    rows = []
    for sysname, load_ms, results in systems:
        for r in results:
            row = r.row()
            rows.append(
                [
                    sysname,
                    row["set"],
                    row["n"],
                    row["exact_%"],
                    row["char_acc_%"],
                    row["det_recall_%"],
                    row["det_centre_%"],
                    row["median_ms"],
                    row["p90_ms"],
                    round(load_ms, 1),
                ]
            )
    _print_rows(head, rows)
    if len(systems) > 1:
        print(f"\nours vs {systems[1][0]} on the same images in this run (points; speed as a ratio)")
        _print_rows(
            ["set", "exact Δ", "char acc Δ", "det IoU≥.5 Δ", "det centre Δ", "median ms ×"],
            versus([r.row() for r in systems[0][2]], [r.row() for r in systems[1][2]]),
        )
    return 0


def _print_rows(head: list[str], rows: list[list]) -> None:
    widths = [max(len(_fmt(x)) for x in col) for col in zip(head, *rows, strict=True)]
    print(" | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(_fmt(x).ljust(w) for x, w in zip(row, widths, strict=True)))


def versus(ours: list[dict], baseline: list[dict]) -> list[list]:
    """Per set scored for both: ours minus the baseline in percentage points (positive: ours is
    better) and our median time as a multiple of the baseline's (below 1: ours is faster)."""
    theirs = {r["set"]: r for r in baseline}
    out = []
    for r in ours:
        b = theirs.get(r["set"])
        if b is None:
            continue

        def delta(k: str, r=r, b=b) -> str:
            return "n/a" if r[k] is None or b[k] is None else f"{r[k] - b[k]:+.1f}"

        speed = f"{r['median_ms'] / b['median_ms']:.2f}×" if r["median_ms"] and b["median_ms"] else "n/a"
        out.append(
            [
                r["set"],
                delta("exact_%"),
                delta("char_acc_%"),
                delta("det_recall_%"),
                delta("det_centre_%"),
                speed,
            ]
        )
    return out


if __name__ == "__main__":
    sys.exit(main())
