"""Pipeline benchmark on the local runtime: throughput, upload→read latency, per-stage CPU."""

from __future__ import annotations

import io
import random
import tempfile
import time

from anpr.kernel.platform import FUNCTIONS
from anpr.ocr.engine import CameraHint, load_engine
from anpr.ocr.render import render_snapshot
from PIL import Image

from bench.machine import goal, vs
from bench.run import quick
from local import demo

#: Lambda list prices (x86, eu-west-1, on demand): assumptions, printed with the figure
LAMBDA_USD_PER_GB_S = 0.0000166667
LAMBDA_USD_PER_REQUEST = 0.20 / 1e6

#: the alerting goal the bench has always stated: a hit on the zone's dispatch queue within 2 s (p95)
ALERT_GOAL_S = 2.0


def _stage_costs(n: int = 40) -> list[dict]:
    """Per-stage CPU inside one ingest, measured in this process on rendered snapshots."""
    rng = random.Random(1)
    jpegs = []
    for i in range(n):
        img, _ = render_snapshot(f"1ABC{i:03d}", "BE", rng)
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=85)
        jpegs.append(buf.getvalue())
    engine = load_engine("auto")

    def cpu(fn, items) -> float:
        c0 = time.process_time()
        for item in items:
            fn(item)
        return (time.process_time() - c0) * 1000 / n

    decoded = [Image.open(io.BytesIO(b)).convert("RGB") for b in jpegs]
    decode = cpu(lambda b: Image.open(io.BytesIO(b)).convert("RGB"), jpegs)
    ocr = cpu(lambda im: engine.read(im, CameraHint(plate="1ABC234")), decoded)

    def crop(im):
        im.crop((200, 300, 360, 340)).save(io.BytesIO(), format="JPEG", quality=90)

    crop_ms = cpu(crop, decoded)
    return [
        {
            "name": "stage: JPEG decode (baseline)",
            "value": decode,
            "unit": "CPU ms/snapshot",
            "vs baseline": "1.00× (the baseline)",
        },
        {
            "name": f"stage: OCR ({engine.name})",
            "value": ocr,
            "unit": "CPU ms/snapshot",
            **vs(ocr, decode, "JPEG decode"),
        },
        {
            "name": "stage: crop + JPEG encode",
            "value": crop_ms,
            "unit": "CPU ms/snapshot",
            **vs(crop_ms, decode, "JPEG decode"),
        },
    ]


def _ingest_cost(cpu_ms: float, wall_ms: float) -> list[dict]:
    """Lambda cost of ingest per million snapshots, from the measured time per snapshot and the
    template's settings (memory, batch size, reserved concurrency in anpr/ingest/spec.py).

    AWS bills wall time: the CPU time is a lower bound (no S3/DynamoDB waits), the wall time on
    the local runtime an upper one (moto answers slower than AWS, on the same 2 cores)."""
    fn = next(f for f in FUNCTIONS if f.id == "Ingest")
    batch = fn.sources[0].batch_size if fn.sources else 1
    gb = fn.memory_mb / 1024

    def usd(ms: float) -> float:
        return 1e6 * ms / 1000 * gb * LAMBDA_USD_PER_GB_S + 1e6 / batch * LAMBDA_USD_PER_REQUEST

    cap_note = ""
    if fn.reserved_concurrency and wall_ms:
        cap_note = (
            f"; at reserved concurrency {fn.reserved_concurrency}: ≈ "
            f"{fn.reserved_concurrency * 1000 / wall_ms:,.0f}–{fn.reserved_concurrency * 1000 / max(cpu_ms, 1e-6):,.0f} "
            "snapshots/s"
        )
    return [
        {
            "name": "ingest Lambda cost per million snapshots",
            "value": round(usd(cpu_ms), 2),
            "unit": "USD (CPU-time bound)",
            "notes": f"up to ${usd(wall_ms):.2f} at the wall time measured on moto ({wall_ms:.0f} ms); "
            f"{fn.memory_mb} MB x86, batch {batch}, ${LAMBDA_USD_PER_GB_S:.10f}/GB-s + $0.20/M requests "
            f"(list price, assumed){cap_note}; S3 PUTs, SQS and DynamoDB writes not included",
        }
    ]


def run(snapshots: int | None = None) -> list[dict]:
    """Unthrottled then paced runs of the local platform; ANPR_BENCH_QUICK: 60 + 60 snapshots."""
    snapshots = snapshots or (60 if quick() else 300)
    paced = 60 if quick() else 300
    rows = _stage_costs(10 if quick() else 40)
    with tempfile.TemporaryDirectory() as tmp:
        s = demo.run(
            snapshots=snapshots, rate=1000, seed=11, bad_fraction=0.0, workdir=tmp, quiet=True, features=False
        )
    per_record_cpu = (s["ingest_cpu_ms_per_batch"] or 0) * s["ingest_invocations"] / max(1, s["records"])
    per_record_wall = (s["ingest_wall_ms_per_batch"] or 0) * s["ingest_invocations"] / max(1, s["records"])
    rows += [
        {
            "name": "pipeline throughput",
            "value": s["snapshots_uploaded"] / s["elapsed_s"],
            "unit": "snapshots/s",
            "notes": f"{snapshots} snapshots, 2 ingest workers, moto server in-process",
        },
        {
            "name": "upload→read latency p50",
            "value": s["latency_p50_s"],
            "unit": "s",
            "notes": "unthrottled upload",
        },
        {"name": "upload→read latency p95", "value": s["latency_p95_s"], "unit": "s", "notes": ""},
        {
            "name": "ingest function CPU",
            "value": per_record_cpu,
            "unit": "CPU ms/snapshot",
            "notes": "handler incl. S3/DynamoDB calls to moto",
        },
        *_ingest_cost(per_record_cpu, per_record_wall),
    ]
    # a paced run with watchlists, alerts and searches on: the operating point
    with tempfile.TemporaryDirectory() as tmp:
        p = demo.run(
            snapshots=paced,
            rate=10,
            seed=12,
            bad_fraction=0.0,
            workdir=tmp,
            quiet=True,
            features=True,
            watchlist_size=12,
        )
    a = p["alerts"]
    rows += [
        {"name": "upload→read latency p50 @10/s", "value": p["latency_p50_s"], "unit": "s", "notes": ""},
        {"name": "upload→read latency p95 @10/s", "value": p["latency_p95_s"], "unit": "s", "notes": ""},
        {
            "name": "upload→alert latency p50 @10/s",
            "value": a["latency_p50_s"],
            "unit": "s",
            "notes": f"{len(a['latencies'])} alerts, to the dispatch queue",
        },
        {
            "name": "upload→alert latency p95 @10/s",
            "value": a["latency_p95_s"],
            "unit": "s",
            **goal(a["latency_p95_s"], ALERT_GOAL_S, "s"),
            "notes": f"{paced} snapshots at 10/s, watchlist of 12"
            + (f"; only {len(a['latencies'])} alerts: indicative" if len(a["latencies"]) < 20 else ""),
        },
    ]
    return rows
