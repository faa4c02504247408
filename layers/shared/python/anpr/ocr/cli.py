"""``anpr ocr [--jsonl] IMAGE...``: detect and read plates in image files, one JSON result per image."""

from __future__ import annotations

import argparse
import json
import time

from PIL import Image, UnidentifiedImageError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("ocr", help="read number plates in image files (TFLite models)")
    p.add_argument("images", nargs="+", metavar="IMAGE")
    p.add_argument("--jsonl", action="store_true", help="one compact JSON line per image (default: indented)")
    p.add_argument("--country", default=None, help="country hint (BE, NL, FR, DE, LU, UK)")
    p.add_argument(
        "--models", default=None, help="model directory (default: $ANPR_MODELS_DIR, /opt/models, repo)"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from anpr.ocr.engine import CameraHint
    from anpr.ocr.tflite_engine import TfliteEngine

    engine = TfliteEngine.load(args.models)
    hint = CameraHint(country=args.country.upper()) if args.country else None
    failures = 0
    for path in args.images:
        result: dict = {"image": path}
        try:
            with Image.open(path) as im:
                im.load()
                t0 = time.perf_counter()
                plates = engine.read(im, hint)
                ms = (time.perf_counter() - t0) * 1000
            result["plates"] = [
                {
                    "text": p.text,
                    "confidence": p.confidence,
                    "bbox": list(p.bbox),
                    "country": p.country,
                    "country_score": p.country_score,
                    "country_runner_up": (
                        {"country": p.country_runner_up[0], "score": p.country_runner_up[1]}
                        if p.country_runner_up
                        else None
                    ),
                    "alternatives": list(p.alternatives),
                    "char_confidences": list(p.char_confidences),
                }
                for p in plates
            ]
            result["ms"] = round(ms, 2)
        except (OSError, UnidentifiedImageError, ValueError) as exc:
            failures += 1
            result["error"] = f"{type(exc).__name__}: {exc}"
        print(json.dumps(result) if args.jsonl else json.dumps(result, indent=2), flush=True)
    return 0 if failures < len(args.images) else 1
