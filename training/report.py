"""training/out/<mode>/report.md: curves, per-set accuracy on held-out real sets, character confusion."""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from pathlib import Path

from anpr.ocr.render import render_crop, render_scene
from anpr.ocr.tflite_engine import TfliteEngine
from PIL import Image, ImageDraw

from training.evaluate import SetResult, char_accuracy, evaluate_engine


def _plot(curves: dict[str, list[tuple[int, float]]], path: Path) -> None:
    W, H, pad = 640, 360, 40
    img = Image.new("RGB", (W, H), "white")
    d = ImageDraw.Draw(img)
    colours = [(200, 30, 30), (30, 60, 200), (30, 150, 60)]
    d.rectangle((pad, pad // 2, W - pad // 2, H - pad), outline="black")
    for k, (name, pts) in enumerate(curves.items()):
        if len(pts) < 2:
            continue
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        ymax, ymin = max(ys), min(ys)
        span = max(1e-6, ymax - ymin)
        line = [
            (pad + (W - 1.5 * pad) * x / max(1, xs[-1]), H - pad - (H - 1.5 * pad) * (y - ymin) / span)
            for x, y in zip(xs, ys, strict=True)
        ]
        d.line(line, fill=colours[k % 3], width=2)
        d.text(
            (pad + 5, pad // 2 + 5 + 14 * k),
            f"{name} loss (normalised) {ymax:.3g} → {ys[-1]:.3g}",
            fill=colours[k % 3],
        )
    img.save(path)


def synthetic_checks(engine, n: int, seed: int = 12345) -> dict:
    rng = random.Random(seed)
    exact = chars = 0.0
    for _ in range(n):
        crop, text, _, lines = render_crop(rng)
        pred = engine.read_crop(crop, 1.2 if lines == 2 else 4.0).text
        exact += pred == text
        chars += char_accuracy(pred, text)
    det = found = 0
    for _ in range(max(1, n // 4)):
        img, boxes = render_scene(rng, (640, 480))
        dets = engine.read(img)
        from anpr.ocr.preprocess import iou

        for b in boxes:
            det += 1
            found += any(iou(p.bbox, b.bbox) >= 0.5 for p in dets)
    return {
        "synthetic_reader_exact_%": round(100 * exact / n, 1),
        "synthetic_reader_char_%": round(100 * chars / n, 1),
        "synthetic_det_recall_%": round(100 * found / max(1, det), 1),
    }


def write_report(out: Path, quick: bool = False) -> dict:
    engine = TfliteEngine.load(out / "models")
    limit = 5 if quick else None
    results: list[SetResult] = evaluate_engine(engine, limit)
    synth = synthetic_checks(engine, 20 if quick else 400)
    logs = {}
    for f in out.glob("log_*.json"):
        logs.update(json.loads(f.read_text()))
    curves = {k: logs[k] for k in ("reader_curve", "reader_ft_curve", "det_curve") if k in logs}
    _plot(curves, out / "curves.png")
    conf = Counter()
    for r in results:
        conf.update(r.confusion)
    rows = [r.row() for r in results]
    summary = {
        "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "load_ms": round(engine.load_ms, 1),
        "sets": rows,
        **synth,
        "model_bytes": {p.name: p.stat().st_size for p in (out / "models").glob("*.tflite")},
    }
    (out / "metrics.json").write_text(json.dumps(summary, indent=2))
    lines = [
        "# OCR training report",
        "",
        f"Generated {summary['generated']} ({'smoke' if quick else 'full'} evaluation).",
        "",
        "![loss curves](curves.png)",
        "",
        "## Held-out real sets (never trained on)",
        "",
        "| set | n | exact % | char acc % | det recall (IoU ≥ 0.5) % | det recall (centre rule) % | median ms | p90 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append("| " + " | ".join("–" if r[k] is None else str(r[k]) for k in r) + " |")
    lines += ["", "## Synthetic checks", ""] + [f"- {k}: {v}" for k, v in synth.items()]
    lines += [
        "",
        f"Model load (incl. warm-up): {summary['load_ms']} ms. Sizes: {summary['model_bytes']}",
        "",
        "## Character confusion (truth → read, same-length misreads)",
        "",
        "| truth | read | count |",
        "|---|---|---|",
    ]
    lines += [f"| {t} | {p} | {c} |" for (t, p), c in conf.most_common(25)]
    if logs:
        lines += [
            "",
            "## Training",
            "",
            "```",
            json.dumps({k: v for k, v in logs.items() if not k.endswith("curve")}, indent=1),
            "```",
        ]
    (out / "report.md").write_text("\n".join(lines) + "\n")
    return summary
