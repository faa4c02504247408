"""`make demo`: the platform on the local runtime for about a minute.

Simulated Brussels cameras upload synthetic snapshots → S3 → SQS → the real ingest Lambda →
DynamoDB, with a live summary (snapshots in, reads stored, quarantined by reason, rate) and a
final report checked against the simulator's ground truth.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections import Counter
from pathlib import Path

from anpr.reads.cameras import DynamoCameraRegistry, load_seed

from local import demo_analytics, demo_features, demo_live
from local.runtime import LocalRuntime
from local.simulator import DEFAULT_CAMERAS, Simulator, SimulatorConfig

REGION = "eu-west-1"


class TimedS3:
    """The cameras' S3 client, noting when each upload completed (upload→read latency)."""

    def __init__(self, client):
        self._client = client
        self.uploaded_at: dict[str, float] = {}

    def put_object(self, **kwargs):
        result = self._client.put_object(**kwargs)
        self.uploaded_at[kwargs["Key"]] = time.time()
        return result

    def __getattr__(self, name):
        return getattr(self._client, name)


def _reads_pages(rt: LocalRuntime, **scan):
    """The Reads table scanned, page by page (boto3's paginator follows LastEvaluatedKey)."""
    paginator = rt.client("dynamodb").get_paginator("scan")
    return paginator.paginate(TableName=rt.name("table", "Reads"), **scan)


def count_reads(rt: LocalRuntime) -> int:
    return sum(page["Count"] for page in _reads_pages(rt, Select="COUNT"))


def quarantined_by_reason(rt: LocalRuntime) -> Counter:
    s3 = rt.client("s3")
    reasons: Counter = Counter()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=rt.name("bucket", "Quarantine")):
        for obj in page.get("Contents", []):
            if obj["Key"].endswith(".json"):
                reasons[obj["Key"].split("/", 1)[0]] += 1
    return reasons


def stored_reads(rt: LocalRuntime) -> list[dict]:
    return [item for page in _reads_pages(rt) for item in page["Items"]]


def run(
    snapshots: int = 600,
    rate: float = 10.0,
    seed: int = 7,
    bad_fraction: float = 0.03,
    workdir: str | Path = ".local-runtime",
    quiet: bool = False,
    features: bool = True,
    watchlist_size: int = 3,
) -> dict:
    say = (lambda *a: None) if quiet else print
    t_start = time.time()
    with LocalRuntime(workdir=workdir) as rt:
        cameras = load_seed(DEFAULT_CAMERAS)
        DynamoCameraRegistry(rt.name("table", "Cameras"), REGION).put_many(cameras)
        say(f"local cloud up at {rt.endpoint} ({len(cameras)} cameras registered); warming the functions…")
        zones = sorted({c.zone for c in cameras})
        api = demo_features.setup_people(rt, zones) if features else None
        rt.warm_up()
        rt.run_event_sources()
        # two officers of the patrol zone and one of another on the live channel, a phone for push
        live = demo_live.LiveWatch(rt, zones).start() if api else None

        s3 = TimedS3(rt.client("s3"))
        sim_now_ms = int(time.time() * 1000)  # one clock for the planned and the uploaded traffic
        sim = Simulator(
            s3,
            rt.name("bucket", "Snapshots"),
            cameras,
            seed=seed,
            rate_per_s=rate,
            config=SimulatorConfig(bad_fraction=bad_fraction),
            progress=None,
            now_ms=lambda: sim_now_ms,
        )
        listed = []
        if api:
            planned, _ = sim.plan(snapshots)
            listed = demo_features.seed_watchlist(api, planned, watchlist_size)
            say(f"watchlist: {len(listed)} simulated vehicles listed by {next(iter(demo_features.PEOPLE))}")
        say(f"ready in {time.time() - t_start:.1f}s — uploading {snapshots} snapshots at {rate:g}/s\n")
        truth_box: dict = {}
        uploader = threading.Thread(target=lambda: truth_box.update(truth=sim.run(snapshots)), daemon=True)
        t0 = time.time()
        uploader.start()
        while uploader.is_alive():
            uploader.join(timeout=3)
            _live(say, rt, s3, t0)
        rt.wait_idle(timeout_s=120)
        _live(say, rt, s3, t0)
        truth = truth_box["truth"]
        summary = _summary(rt, s3, truth, t0)
        if api:
            reads = stored_reads(rt)
            summary["alerts"] = demo_features.collect_alerts(rt, api, listed, s3.uploaded_at, reads)
            summary["searches"] = demo_features.run_searches(api, truth, reads)
            summary["long_search"] = demo_analytics.long_search(api, truth, reads, say)
            plate = summary["searches"].get("trajectory", {}).get("plate", "")
            summary["audit"] = demo_features.audit_checks(api, rt, plate)
        if live:
            summary["live"] = live.stop()
        summary["silence"] = demo_features.silent_camera(rt, truth, sim_now_ms)
        (Path(workdir) / "ground_truth.json").parent.mkdir(parents=True, exist_ok=True)
        truth.write(Path(workdir) / "ground_truth.json")
    _report(say, summary)
    if "alerts" in summary:
        demo_features.report(say, summary["alerts"], summary["searches"], summary["audit"])
    if "live" in summary:
        demo_live.report(say, summary["live"])
    demo_features.report_silence(say, summary["silence"])
    return summary


def _live(say, rt: LocalRuntime, s3: TimedS3, t0: float) -> None:
    elapsed = time.time() - t0
    uploaded = len(s3.uploaded_at)
    reads = count_reads(rt)
    q = quarantined_by_reason(rt)
    qtxt = ", ".join(f"{k} {v}" for k, v in sorted(q.items())) or "none"
    say(
        f"[{elapsed:5.1f}s] snapshots in {uploaded:4d} | reads stored {reads:4d} | "
        f"quarantined {sum(q.values())} ({qtxt}) | {uploaded / max(elapsed, 1e-6):.1f} snapshots/s"
    )


def read_figures(items: list[dict], drawn: dict[str, str]) -> dict:
    """What the stored reads say against the plates the simulator drew (snapshot key → plate).

    Reads ≠ snapshots: the detector stores one read per plate-like box, so a snapshot can give
    several reads (or none); "right" means the read is the plate drawn on its snapshot."""

    def right(i: dict) -> bool:
        return drawn.get(i["snapshot_key"]["S"]) == i["plate"]["S"]

    per_snapshot = Counter(i["snapshot_key"]["S"] for i in items)
    best: dict[str, dict] = {}  # snapshot → its most confident read
    for i in items:
        k = i["snapshot_key"]["S"]
        if k not in best or float(i["confidence"]["N"]) > float(best[k]["confidence"]["N"]):
            best[k] = i
    confidence = {ok: [float(i["confidence"]["N"]) for i in items if right(i) == ok] for ok in (True, False)}
    return {
        "reads_matching_truth": sum(1 for i in items if right(i)),
        "snapshots_with_reads": len(per_snapshot),
        "snapshots_with_several_reads": sum(1 for n in per_snapshot.values() if n > 1),
        "good_snapshots_without_read": sum(1 for k in drawn if k not in per_snapshot),
        "good_snapshots_read_right": len({i["snapshot_key"]["S"] for i in items if right(i)}),
        "good_snapshots_best_read_right": sum(1 for i in best.values() if right(i)),
        "camera_own_reads": sum(1 for i in items if i.get("source", {}).get("S") == "camera"),
        "confidence_right_p50": statistics.median(confidence[True]) if confidence[True] else None,
        "confidence_other_p50": statistics.median(confidence[False]) if confidence[False] else None,
    }


def _summary(rt: LocalRuntime, s3: TimedS3, truth, t0: float) -> dict:
    items = stored_reads(rt)
    latencies = [
        int(i["ingested_ms"]["N"]) / 1000 - s3.uploaded_at[i["snapshot_key"]["S"]]
        for i in items
        if i["snapshot_key"]["S"] in s3.uploaded_at
    ]
    by_key = {s.key: s for s in truth.sightings if s.uploaded}
    expected_q = Counter(b.expected_reason for b in truth.bad_inputs)
    engines = Counter(i.get("engine", {}).get("S", "") for i in items)
    host = rt.hosts["Ingest"]
    return {
        "snapshots_uploaded": len(s3.uploaded_at),
        "good_snapshots": len(by_key),
        "reads_stored": len(items),
        **read_figures(items, {k: v.plate for k, v in by_key.items()}),
        "quarantined": dict(quarantined_by_reason(rt)),
        "expected_quarantine": dict(expected_q),
        "dlq": rt.queue_depth("IngestDlq"),
        "elapsed_s": time.time() - t0,
        "latency_p50_s": statistics.median(latencies) if latencies else None,
        "latency_p95_s": statistics.quantiles(latencies, n=20, method="inclusive")[-1]
        if len(latencies) >= 20
        else None,
        "ingest_cpu_ms_per_batch": statistics.mean(host.cpu_ms) if host.cpu_ms else None,
        "ingest_wall_ms_per_batch": statistics.mean(host.wall_ms) if host.wall_ms else None,
        "ingest_invocations": len(host.cpu_ms),
        "records": sum(p.records for p in rt.pollers),
        "engines": dict(engines),
    }


def _report(say, s: dict) -> None:
    """The final summary, each figure with what it counts."""
    good, uploaded = s["good_snapshots"], s["snapshots_uploaded"]
    reads, with_reads = s["reads_stored"], s["snapshots_with_reads"]
    engines = ", ".join(f"{k or '?'} {v}" for k, v in s["engines"].items())
    say("\n== demo summary ==")
    say(
        f"snapshots uploaded      {uploaded}: {good} good + {uploaded - good} deliberately bad "
        f"(the simulator's bad inputs, quarantined below)"
    )
    say(
        f"plate reads stored      {reads}, from {with_reads} snapshots: one read per plate-like box the "
        f"detector finds, so a snapshot can give several ({s['snapshots_with_several_reads']} did, "
        f"{reads - with_reads} reads more than snapshots) and some give none ({s['good_snapshots_without_read']} "
        f"good snapshots)"
    )
    say(
        f"  of which right        {s['reads_matching_truth']} reads are the plate the simulator drew on their "
        f"snapshot; the other {reads - s['reads_matching_truth']} are misreads or other text the renderer "
        f"paints as hard negatives (street signs, brand and dealer names)"
        + (
            f"; median confidence {s['confidence_right_p50']:.2f} right vs {s['confidence_other_p50']:.2f} other"
            if s["confidence_right_p50"] is not None and s["confidence_other_p50"] is not None
            else ""
        )
    )
    say(
        f"  engines               {engines or 'none'}"
        f" ({s['camera_own_reads']} are the camera's own read, kept where our OCR read nothing)"
    )
    say(
        f"snapshots read right    {s['good_snapshots_read_right']} / {good} good snapshots "
        f"({s['good_snapshots_read_right'] / max(good, 1):.0%}) have a read equal to the plate drawn; "
        f"in {s['good_snapshots_best_read_right']} it is the most confident read"
    )
    say(
        "quarantined by reason   "
        + (", ".join(f"{k} {v}" for k, v in sorted(s["quarantined"].items())) or "none")
    )
    say(
        "expected (simulator)    "
        + (", ".join(f"{k} {v}" for k, v in sorted(s["expected_quarantine"].items())) or "none")
        + "  (the reasons the simulator's bad inputs should get; equal to the line above when ingest judged each right)"
    )
    say(
        f"dead-letter queue       {s['dlq']} (infrastructure failures only; bad input is quarantined, never here)"
    )
    if s["latency_p50_s"] is not None:
        p95 = f"{s['latency_p95_s']:.2f}s" if s["latency_p95_s"] is not None else "n/a"
        say(f"upload→read latency     p50 {s['latency_p50_s']:.2f}s  p95 {p95} (upload done → read stored)")
    say(f"elapsed                 {s['elapsed_s']:.1f}s ({uploaded / s['elapsed_s']:.1f} snapshots/s)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--snapshots", type=int, default=600)
    ap.add_argument("--rate", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--bad-fraction", type=float, default=0.03)
    args = ap.parse_args(argv)
    summary = run(args.snapshots, args.rate, args.seed, args.bad_fraction)
    return 0 if summary["dlq"] == 0 and summary["reads_stored"] > 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
