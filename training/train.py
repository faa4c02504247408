"""Train the plate reader and detector from scratch, convert to TFLite, evaluate, report.

    python -m training.train --mode full    # make train: ships to layers/models/
    python -m training.train --mode smoke   # ≤ 2 min, used by the tests; never ships

Outputs go to training/out/<mode>/ (git-ignored): models, report.md, curves, confusion.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np

from training.data import (
    REAL_DIR,
    SCENE_SETS,
    real_available,
    real_detector_set,
    real_reader_set,
    synth_band_set,
    synth_detector_set,
    synth_format_set,
    synth_reader_set,
    synth_row_set,
    synth_tall_set,
)
from training.progress import Progress
from training.settings import MODES, Settings

REPO = Path(__file__).resolve().parents[1]
SHIP_DIR = REPO / "layers" / "models"
READER_FILE, DETECTOR_FILE = "plate_reader.tflite", "plate_detector.tflite"
READER2_FILE = "plate_reader_2.tflite"
TALL_FILE = "plate_reader_tall.tflite"
#: the readers: (name, model file); the second is trained when the settings give it a drawn share
READERS = {"reader": READER_FILE, "reader_2": READER2_FILE}


def _tf(threads: int):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    # same seed, same code, same thread count → the same weights, bit for bit: `make train`
    # reproduces the shipped models exactly rather than "about as good"
    tf.config.experimental.enable_op_determinism()
    return tf


def convert(tf, model, path: Path, builder=None) -> int:
    if builder is not None:  # fixed batch of one: no dynamic-shape ops in the graph
        fixed = builder(batch_size=1)
        fixed.set_weights(model.get_weights())
        model = fixed
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = []  # fp32: fastest on XNNPACK, op versions tflite-runtime 2.14 accepts
    data = conv.convert()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(data)


@functools.cache
def _renderer_fingerprint() -> str:
    """Hash of the renderer's, preprocessing's and data builders' source: a cache rendered by other
    code is stale."""
    import anpr.ocr.band
    import anpr.ocr.grammar
    import anpr.ocr.preprocess
    import anpr.ocr.render
    import anpr.ocr.rows

    files = sorted(Path(anpr.ocr.render.__file__).parent.glob("*.py")) + [
        Path(anpr.ocr.preprocess.__file__),
        Path(anpr.ocr.rows.__file__),
        Path(anpr.ocr.band.__file__),
        Path(anpr.ocr.grammar.__file__).with_name("formats.json"),
        Path(__file__).with_name("data.py"),
    ]
    return hashlib.sha1(b"".join(f.read_bytes() for f in files)).hexdigest()[:10]


def _cached(path: Path, make):
    """Rendered data is deterministic: cache it so a re-run skips the rendering (keyed by the
    renderer's source, so a renderer change re-renders)."""
    path = path.with_name(f"{path.stem}_{_renderer_fingerprint()}{path.suffix}")
    if path.exists():
        with np.load(path) as z:
            return tuple(z[k] for k in sorted(z.files))
    arrays = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **{f"a{i}": a for i, a in enumerate(arrays)})
    return arrays


STOP = {"now": False}


def _stop_early(*_):  # kill -USR1 <pid>: finish the current step, convert and report what we have
    STOP["now"] = True


def _mix(
    rng: np.random.Generator, n_a: int, n_b: int, batch: int, frac_b: float
) -> tuple[np.ndarray, np.ndarray]:
    kb = round(batch * frac_b) if n_b else 0
    return rng.integers(0, n_a, batch - kb), rng.integers(0, max(1, n_b), kb)


def _reader_data(s: Settings, out: Path, log: dict):
    t0 = time.time()
    print(f"reader: rendering {s.reader_synth} synthetic crops", file=sys.stderr)
    sx, sy, sl = _cached(
        out / "cache" / f"reader_synth_{s.reader_synth}_{s.seed}_d{s.reader_drawn}_t{s.reader_tilt}.npz",
        lambda: synth_reader_set(s.reader_synth, s.seed, s.workers, drawn=s.reader_drawn, tilt=s.reader_tilt),
    )
    more = [
        _cached(
            out / "cache" / f"reader_{kind}_{n}_{s.seed}_d{s.reader_drawn}_t{s.reader_tilt}.npz",
            lambda make=make, n=n, kw=kw: make(n, s.seed, s.workers, tilt=s.reader_tilt, **kw),
        )
        for kind, n, make, kw in (
            ("formats", s.reader_formats, synth_format_set, {"drawn": s.reader_drawn}),
            ("rows", s.reader_rows, synth_row_set, {"drawn": s.reader_drawn}),
            ("bands", s.reader_bands, synth_band_set, {}),
        )
        if n
    ]
    print(f"reader: + {' + '.join(str(len(m[0])) for m in more)} format, row and band crops", file=sys.stderr)
    sx, sy, sl = (np.concatenate([a, *(m[k] for m in more)]) for k, a in enumerate((sx, sy, sl)))
    rx, ry, rl = [], [], []
    for name, copies in (
        ("openalpr_br", s.reader_real_copies),
        ("openalpr_us", s.reader_real_copies),
        ("uc3m_crops", s.reader_uc3m_copies),
    ):
        x, y, l_ = real_reader_set((name,), copies, s.seed, held_out=False, limit=s.real_limit)
        print(f"reader: {name}: {len(x)} training crops (held-out split never used)", file=sys.stderr)
        rx.append(x), ry.append(y), rl.append(l_)
    rx, ry, rl = np.concatenate(rx), np.concatenate(ry), np.concatenate(rl)
    log["reader_data"] = {
        "synthetic": len(sx),
        "formats_and_rows": sum(len(m[0]) for m in more),
        "real": len(rx),
        "render_s": round(time.time() - t0, 1),
    }
    return (sx, sy, sl), (rx, ry, rl)


def _jitter(tf, x, jitter: float):
    """Each sample shrunk by up to 2 × ``jitter`` or grown by up to ``jitter`` / 2 about its centre
    (edges repeated; growing little, as a cut's outer characters may touch its edge), moved by up to
    ``jitter`` / 2 of its size and given Gaussian noise of σ up to ``jitter``: fresh every step, so a
    plate seen twice is never seen the same (the two-line reader memorised its plates without it)."""
    b = tf.shape(x)[0]
    h, w = x.shape[1], x.shape[2]
    u = lambda lo, hi: tf.random.uniform((b,), lo, hi)
    inv = 1.0 / u(1.0 - 2 * jitter, 1.0 + jitter / 2)  # output → input coordinates
    tx, ty = u(-jitter / 2, jitter / 2) * w, u(-jitter / 2, jitter / 2) * h
    cx, cy = (w - 1) / 2.0, (h - 1) / 2.0
    zero = tf.zeros((b,))
    transforms = tf.stack([inv, zero, cx - cx * inv + tx, zero, inv, cy - cy * inv + ty, zero, zero], axis=1)
    x = tf.raw_ops.ImageProjectiveTransformV3(
        images=x,
        transforms=transforms,
        output_shape=[h, w],
        fill_value=0.0,
        interpolation="BILINEAR",
        fill_mode="NEAREST",
    )
    return x + tf.random.normal(tf.shape(x)) * tf.random.uniform((b, 1, 1, 1), 0.0, jitter)


def _reader_loop(
    tf,
    model,
    opt,
    synth,
    real,
    steps: int,
    batch: int,
    real_frac: float,
    seed: int,
    label: str,
    jitter: float = 0.0,
):
    sx, sy, sl = synth
    rx, ry, rl = real

    @tf.function(reduce_retracing=True)
    def step(x, y, ylen):
        x = tf.cast(x, tf.float32)[..., None] / 255.0
        if jitter:
            x = _jitter(tf, x, jitter)
        # photometric jitter: gain and bias
        b = tf.shape(x)[0]
        x = x * tf.random.uniform((b, 1, 1, 1), 0.7, 1.2) + tf.random.uniform((b, 1, 1, 1), -0.15, 0.15)
        x = tf.clip_by_value(x, 0.0, 1.0)
        with tf.GradientTape() as tape:
            logits = model(x, training=True)
            t = tf.fill([b], tf.shape(logits)[1])
            loss = tf.reduce_mean(tf.nn.ctc_loss(y, logits, ylen, t, logits_time_major=False, blank_index=-1))
        grads = tape.gradient(loss, model.trainable_variables)
        grads, _ = tf.clip_by_global_norm(grads, 5.0)
        opt.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    rng = np.random.default_rng(seed)
    tf.random.set_seed(seed)
    prog = Progress(steps, label)
    curve, ema = [], None
    for i in range(steps):
        if STOP["now"]:
            break
        ia, ib = _mix(rng, len(sx), len(rx), batch, real_frac if len(rx) else 0.0)
        x = np.concatenate([sx[ia], rx[ib]]) if len(ib) and len(rx) else sx[ia]
        y = np.concatenate([sy[ia], ry[ib]]) if len(ib) and len(rx) else sy[ia]
        yl = np.concatenate([sl[ia], rl[ib]]) if len(ib) and len(rx) else sl[ia]
        loss = float(step(x, y, yl))
        ema = loss if ema is None else 0.98 * ema + 0.02 * loss
        if i % 25 == 0 or i == steps - 1:
            curve.append((i, ema))
        prog.update(loss=ema)
    return curve


def _save_reader(tf, model, s: Settings, out: Path, weights: str, log: dict, name: str = "reader") -> Path:
    """Keep the Keras weights (the next phase starts from them) and convert to the shipped TFLite."""
    from training.models import build_reader

    model.save_weights(out / weights)
    path = out / "models" / READERS[name]
    log[f"{name}_bytes"] = convert(
        tf, model, path, lambda batch_size: build_reader(s.reader_width, batch_size)
    )
    return path


def reader_settings(s: Settings, name: str) -> Settings:
    """The settings a reader is trained with: the second is the first's recipe with its own drawn
    share of plate typefaces and its own perspective spread."""
    if name == "reader_2":
        return dataclasses.replace(s, reader_drawn=s.reader2_drawn, reader_tilt=s.reader2_tilt)
    return s


def train_reader(tf, s: Settings, out: Path, log: dict, name: str = "reader") -> Path:
    from training.models import build_reader

    t0 = time.time()
    s = reader_settings(s, name)
    synth, real = _reader_data(s, out, log)
    tf.keras.utils.set_random_seed(s.seed)  # weight init too, not just the batches
    tf.keras.backend.reset_uids()  # layer names as if this reader were the process's first model
    model = build_reader(s.reader_width)
    opt = tf.keras.optimizers.Adam(
        tf.keras.optimizers.schedules.CosineDecay(s.reader_lr, s.reader_steps, alpha=0.02)
    )
    log[f"{name}_curve"] = _reader_loop(
        tf, model, opt, synth, real, s.reader_steps, s.reader_batch, 0.3, s.seed, name
    )
    log[f"{name}_train_s"] = round(time.time() - t0, 1)
    return _save_reader(tf, model, s, out, f"{name}.weights.h5", log, name)


def finetune_reader(tf, s: Settings, out: Path, log: dict, name: str = "reader") -> Path:
    """Phase 2: continue from phase 1 with 60 % real crops and a small learning rate."""
    from training.models import build_reader

    t0 = time.time()
    s = reader_settings(s, name)
    synth, real = _reader_data(s, out, log)
    det_path = out / "models" / DETECTOR_FILE
    if det_path.exists():  # add crops at the trained detector's boxes (training split only)
        from anpr.ocr.tflite_engine import TfliteEngine

        from training.data import detector_box_reader_set

        engine = TfliteEngine.load(out / "models")
        dx, dy, dl = detector_box_reader_set(
            ("openalpr_br", "openalpr_us"), engine.detect, s.reader_real_copies, s.seed + 9, s.real_limit
        )
        print(f"reader fine-tune: {len(dx)} crops at detector boxes", file=sys.stderr)
        log["reader_ft_detector_crops"] = len(dx)
        real = tuple(np.concatenate([a, b]) for a, b in zip(real, (dx, dy, dl), strict=True))
    tf.keras.utils.set_random_seed(s.seed)  # weight init too, not just the batches
    # Keras names layers from a per-process counter, and the names go into the .tflite: restart it
    # so this phase's file is the same whether the detector was built before it in this process
    # (`make train`) or not (`--part reader-ft`)
    tf.keras.backend.reset_uids()
    model = build_reader(s.reader_width)
    model.load_weights(out / f"{name}.weights.h5")
    base = out / "models_phase1"
    base.mkdir(parents=True, exist_ok=True)
    if (out / "models" / READERS[name]).exists():
        shutil.copy2(out / "models" / READERS[name], base / READERS[name])
    opt = tf.keras.optimizers.Adam(
        tf.keras.optimizers.schedules.CosineDecay(s.reader_lr * 0.1, max(1, s.reader_ft_steps))
    )
    log[f"{name}_ft_curve"] = _reader_loop(
        tf, model, opt, synth, real, s.reader_ft_steps, s.reader_batch, 0.6, s.seed + 5, f"{name} fine-tune"
    )
    log[f"{name}_ft_s"] = round(time.time() - t0, 1)
    return _save_reader(tf, model, s, out, f"{name}_ft.weights.h5", log, name)


def train_tall(tf, s: Settings, out: Path, log: dict) -> Path:
    """The two-line reader: two-line plates read whole (``models.build_tall_reader``), synthetic
    only (the real sets hold no two-line plate)."""
    from training.models import build_tall_reader

    t0 = time.time()
    print(f"two-line reader: rendering {s.tall_plates} two-line plates", file=sys.stderr)
    synth = _cached(
        out / "cache" / f"tall_{s.tall_plates}_{s.seed}_d{s.tall_drawn}_t{s.tall_tilt}.npz",
        lambda: synth_tall_set(s.tall_plates, s.seed, s.workers, drawn=s.tall_drawn, tilt=s.tall_tilt),
    )
    log["tall_data"] = {"synthetic": len(synth[0]), "render_s": round(time.time() - t0, 1)}
    none = (synth[0][:0], synth[1][:0], synth[2][:0])
    tf.keras.utils.set_random_seed(s.seed + 3)
    tf.keras.backend.reset_uids()  # layer names as if this were the process's first model
    model = build_tall_reader(s.tall_width)
    opt = tf.keras.optimizers.Adam(
        tf.keras.optimizers.schedules.CosineDecay(s.reader_lr, s.tall_steps, alpha=0.02)
    )
    log["tall_curve"] = _reader_loop(
        tf,
        model,
        opt,
        synth,
        none,
        s.tall_steps,
        s.reader_batch,
        0.0,
        s.seed + 3,
        "two-line reader",
        s.tall_jitter,
    )
    log["tall_train_s"] = round(time.time() - t0, 1)
    model.save_weights(out / "tall.weights.h5")  # a later phase (or session) may continue from it
    path = out / "models" / TALL_FILE
    log["tall_bytes"] = convert(
        tf, model, path, lambda batch_size: build_tall_reader(s.tall_width, batch_size)
    )
    return path


def _focal(heat_pred, heat_gt):
    p = tf_clip(heat_pred)
    pos = tf_eq1(heat_gt)
    import tensorflow as tf

    pos_loss = -tf.math.log(p) * tf.square(1 - p) * pos
    neg_loss = -tf.math.log(1 - p) * tf.square(p) * tf.pow(1 - heat_gt, 4) * (1 - pos)
    n = tf.maximum(tf.reduce_sum(pos), 1.0)
    return (tf.reduce_sum(pos_loss) + tf.reduce_sum(neg_loss)) / n


def tf_clip(p):
    import tensorflow as tf

    return tf.clip_by_value(p, 1e-4, 1 - 1e-4)


def tf_eq1(t):
    import tensorflow as tf

    return tf.cast(tf.equal(t, 1.0), tf.float32)


def train_detector(tf, s: Settings, out: Path, log: dict) -> Path:
    from training.models import build_detector

    t0 = time.time()
    print(f"detector: rendering {s.det_synth} synthetic scenes", file=sys.stderr)
    turned = f"_t{s.det_turned}" if s.det_turned else ""
    sx, st = _cached(
        out / "cache" / f"det_synth_{s.det_synth}_{s.seed + 1}{turned}.npz",
        lambda: synth_detector_set(s.det_synth, s.seed + 1, s.workers, turned=s.det_turned),
    )
    rx, rt = real_detector_set(SCENE_SETS, s.det_real_copies, s.seed, held_out=False, limit=s.real_limit)
    print(
        f"detector: {len(rx)} real training scenes (augmented copies, held-out split never used)",
        file=sys.stderr,
    )
    log["det_data"] = {
        "synthetic": len(sx),
        "real": len(rx),
        "render_s": round(time.time() - t0, 1),
    }
    tf.keras.utils.set_random_seed(s.seed + 1)
    model = build_detector()
    opt = tf.keras.optimizers.Adam(
        tf.keras.optimizers.schedules.CosineDecay(s.det_lr, s.det_steps, alpha=0.02)
    )

    @tf.function(reduce_retracing=True)
    def step(x, t):
        x = tf.cast(x, tf.float32)[..., None] / 255.0
        b = tf.shape(x)[0]
        x = tf.clip_by_value(
            x * tf.random.uniform((b, 1, 1, 1), 0.7, 1.3) + tf.random.uniform((b, 1, 1, 1), -0.15, 0.15), 0, 1
        )
        with tf.GradientTape() as tape:
            y = model(x, training=True)
            heat = y[..., 0]
            fl = _focal(heat, t[..., 0])
            m = t[..., 5:6]
            n = tf.maximum(tf.reduce_sum(m), 1.0)
            size_l = tf.reduce_sum(tf.abs(y[..., 1:3] - t[..., 1:3]) * m) / n
            off_l = tf.reduce_sum(tf.abs(y[..., 3:5] - t[..., 3:5]) * m) / n
            loss = fl + size_l + off_l
        grads = tape.gradient(loss, model.trainable_variables)
        grads, _ = tf.clip_by_global_norm(grads, 5.0)
        opt.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    rng = np.random.default_rng(s.seed + 1)
    prog = Progress(s.det_steps, "detector")
    curve, ema = [], None
    for i in range(s.det_steps):
        ia, ib = _mix(rng, len(sx), len(rx), s.det_batch, 0.5 if len(rx) else 0.0)
        x = np.concatenate([sx[ia], rx[ib]]) if len(ib) and len(rx) else sx[ia]
        t = np.concatenate([st[ia], rt[ib]]) if len(ib) and len(rx) else st[ia]
        if STOP["now"]:
            log["det_stopped_at"] = i
            break
        loss = float(step(x, t))
        ema = loss if ema is None else 0.98 * ema + 0.02 * loss
        if i % 25 == 0 or i == s.det_steps - 1:
            curve.append((i, ema))
        prog.update(loss=ema)
    log["det_curve"] = curve
    log["det_train_s"] = round(time.time() - t0, 1)
    model.save_weights(out / "detector.weights.h5")
    path = out / "models" / DETECTOR_FILE
    log["det_bytes"] = convert(tf, model, path, build_detector)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=sorted(MODES), default="smoke")
    ap.add_argument(
        "--part",
        choices=["all", "reader", "reader-2", "tall", "reader-ft", "reader-2-ft", "detector", "report"],
        default="all",
        help="all = reader, reader-2, tall (the two-line reader), detector, reader-ft, reader-2-ft, "
        "report (the fine-tunes use the detector's boxes)",
    )
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-ship", action="store_true", help="full mode: do not copy models to layers/models")
    args = ap.parse_args(argv)
    s = MODES[args.mode]
    out = args.out or REPO / "training" / "out" / args.mode
    out.mkdir(parents=True, exist_ok=True)
    if not real_available():
        print(f"note: {REAL_DIR} absent: training on synthetic data only", file=sys.stderr)
    import signal

    signal.signal(signal.SIGUSR1, _stop_early)
    tf = _tf(args.threads)
    log_path = out / f"log_{args.part}.json"
    log: dict = {
        "mode": args.mode,
        "settings": s.__dict__,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    names = ["reader"] + (["reader_2"] if s.reader2_drawn is not None else [])
    for name in names:
        if args.part in ("all", name.replace("_", "-")):
            train_reader(tf, s, out, log, name)
            log_path.write_text(json.dumps(log))
    if args.part in ("all", "tall") and s.tall_plates:
        train_tall(tf, s, out, log)
        log_path.write_text(json.dumps(log))
    if args.part in ("all", "detector"):
        train_detector(tf, s, out, log)
        log_path.write_text(json.dumps(log))
    for name in names:  # after the detector: the fine-tunes use its boxes
        part = name.replace("_", "-") + "-ft"
        if args.part in ("all", part) and s.reader_ft_steps > 0:
            finetune_reader(tf, s, out, log, name)
            log_path = out / f"log_{part.replace('-', '_')}.json" if args.part == part else log_path
            log_path.write_text(json.dumps(log))
    if (
        args.part in ("all", "report")
        and (out / "models" / READER_FILE).exists()
        and (out / "models" / DETECTOR_FILE).exists()
    ):
        from training.report import write_report

        write_report(out, quick=args.mode == "smoke")
        if args.mode == "full" and not args.no_ship:
            SHIP_DIR.mkdir(parents=True, exist_ok=True)
            tall = (TALL_FILE,) if s.tall_plates else ()
            for f in (*(READERS[n] for n in names), *tall, DETECTOR_FILE):
                shutil.copy2(out / "models" / f, SHIP_DIR / f)
            print(f"shipped models to {SHIP_DIR}", file=sys.stderr)
    print(f"outputs in {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
