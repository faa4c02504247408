"""National bench (issue 12): the national fleet on the local runtime — every network with its
own upload key, cameras uploading through ``POST /uploads`` and the presigned POST, ingest with
the network checks — and the cost per million snapshots from the measured Lambda time and the
template's settings (memory, batch size) plus the request prices of S3, SQS and DynamoDB.

Sizes: the whole national data (``data/zones``, ``data/networks``: 5 networks, 2,292 cameras,
26 zones) is registered; the traffic is a sample of it (300 snapshots; ANPR_BENCH_QUICK: 100)
spread over every camera, as fast as this machine takes it. What 2 shared cores cannot show
(thousands of snapshots per second) is extrapolated from the measured time per snapshot and
the reserved concurrency, and says so.
"""

from __future__ import annotations

import logging
import math
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path

from anpr.kernel.platform import FUNCTIONS, ROOT
from anpr.networks.zones import ZoneMap, load_zone_files
from anpr.reads.cameras import DynamoCameraRegistry

from bench.machine import goal
from bench.pipeline import LAMBDA_USD_PER_GB_S, LAMBDA_USD_PER_REQUEST
from bench.run import quick
from local.demo import stored_reads
from local.runtime import LocalRuntime
from local.simulator import Simulator, SimulatorConfig
from local.simulator.network_uploads import NetworkUploader, handler_grants

ZONE_FILES = sorted((ROOT / "data" / "zones").glob("*.geojson"))
NETWORK_FILES = sorted((ROOT / "data" / "networks").glob("*.json"))
REGION = "eu-west-1"

#: the platform's design peak (docs/decisions.md, "Load at national peak"): reads/s nationally
NATIONAL_PEAK_PER_S = 5_000
#: issue 12 #6: the national simulation's minimum size
MIN_NETWORKS, MIN_CAMERAS, MIN_ZONES = 4, 2_000, 20
#: list prices, eu-west-1 on demand (assumptions, printed with the figure)
APIGW_REST_USD_PER_M = 3.50
S3_PUT_USD_PER_M = 5.00  # PUT/POST/COPY/LIST per million
S3_GET_USD_PER_M = 0.40  # GET/HEAD per million
SQS_USD_PER_M = 0.40  # standard queue, per million requests (64 KB chunks)
DDB_WRU_USD_PER_M = 0.7065  # on-demand write request units (after the Nov 2024 price cut)
DDB_RRU_USD_PER_M = 0.1413


class TimedUploader:
    """The fleet's uploader, noting when each upload completed (upload→read latency)."""

    def __init__(self, inner: NetworkUploader):
        self._inner, self.uploaded_at, self._lock = inner, {}, threading.Lock()

    def upload(self, camera_id, body, metadata, content_type="image/jpeg", as_network=None) -> str:
        key = self._inner.upload(camera_id, body, metadata, content_type, as_network)
        with self._lock:
            self.uploaded_at[key] = time.time()
        return key


def _zone_lookup_us() -> tuple[float, int]:
    zones = ZoneMap(load_zone_files(ZONE_FILES))
    rng = random.Random(4)
    points = [(rng.uniform(49.5, 51.5), rng.uniform(2.5, 6.4)) for _ in range(5_000)]
    t0 = time.perf_counter()
    for lat, lon in points:
        zones.zone_at(lat, lon)
    return (time.perf_counter() - t0) * 1e6 / len(points), len(zones)


def _fn(fid: str):
    return next(f for f in FUNCTIONS if f.id == fid)


def _lambda_usd(fid: str, ms: float, per_request_share: float = 1.0) -> float:
    fn = _fn(fid)
    return 1e6 * (
        ms / 1000 * fn.memory_mb / 1024 * LAMBDA_USD_PER_GB_S + per_request_share * LAMBDA_USD_PER_REQUEST
    )


def cost_rows(
    ingest_ms: float, grant_ms: float, reads_per_snapshot: float, no_plate_share: float
) -> list[dict]:
    """USD per million snapshots, each part from a measured figure or a stated count."""
    ingest, uploads = _fn("Ingest"), _fn("CameraUploads")
    batch = ingest.sources[0].batch_size
    reads = reads_per_snapshot
    parts = [
        ("ingest Lambda", _lambda_usd("Ingest", ingest_ms, 1 / batch),
         (f"measured {ingest_ms:.0f} ms/snapshot × {ingest.memory_mb} MB, batch {batch}, "
         f"${LAMBDA_USD_PER_GB_S}/GB-s + $0.20/M requests")),
        ("upload grant Lambda", _lambda_usd("CameraUploads", grant_ms),
         f"measured {grant_ms:.0f} ms/grant × {uploads.memory_mb} MB, one grant per snapshot"),
        ("API Gateway (POST /uploads)", APIGW_REST_USD_PER_M,
         f"REST API ${APIGW_REST_USD_PER_M}/M requests (first 333 M a month)"),
        # the snapshot POST, one crop per read, an outcome record per no-plate snapshot
        ("S3 requests", S3_PUT_USD_PER_M * (1 + reads + no_plate_share) + S3_GET_USD_PER_M * 2,
         (f"${S3_PUT_USD_PER_M}/M PUT/POST × (1 snapshot + {reads:.2f} crops + {no_plate_share:.2f} "
         f"outcome records) + ${S3_GET_USD_PER_M}/M × (HEAD + GET)")),
        # S3's notification send, then receive + delete per batch
        ("SQS requests", SQS_USD_PER_M * (1 + 2 / batch),
         f"${SQS_USD_PER_M}/M × (1 send + receive and delete per batch of {batch})"),
        # a read: 1 WRU + 1 per GSI (2); idempotency: 2 writes; camera activity ≤ 1 (upper bound)
        ("DynamoDB requests", DDB_WRU_USD_PER_M * (reads * 3 + 2 + 1) + DDB_RRU_USD_PER_M,
         (f"on demand ${DDB_WRU_USD_PER_M}/M WRU × ({reads:.2f} reads × 3 WRU with 2 GSIs + 2 idempotency "
         "+ ≤ 1 camera activity) + 1 camera RRU (cached in practice)")),
    ]  # fmt: skip
    rows = [
        {"name": f"cost per million snapshots: {name}", "value": round(usd, 2), "unit": "USD", "notes": note}
        for name, usd, note in parts
    ]
    rows.append(
        {
            "name": "cost per million snapshots: total",
            "value": round(sum(usd for _, usd, _ in parts), 2),
            "unit": "USD",
            "notes": "Lambda at the wall time measured on moto (AWS answers faster: an upper bound); storage "
            "(S3 GB-month, DynamoDB GB-month), KMS, CloudWatch and data transfer not included",
        }
    )
    return rows


def run(snapshots: int | None = None) -> list[dict]:
    snapshots = snapshots or (100 if quick() else 300)
    import anpr.accountability.adapters.dynamo  # noqa: F401  (its logger exists before it is quietened)

    for name in [n for n in logging.root.manager.loggerDict if n.startswith("anpr")]:
        logging.getLogger(name).setLevel(logging.WARNING)  # the in-process seeding's audit lines
    zone_us, zone_count = _zone_lookup_us()
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp, LocalRuntime(workdir=Path(tmp)) as rt:
        t0 = time.perf_counter()
        keys = rt.issue_network_keys(ZONE_FILES, NETWORK_FILES)
        register_s = time.perf_counter() - t0
        cameras = DynamoCameraRegistry(rt.name("table", "Cameras"), REGION).list()
        rt.warm_up("Ingest", "CameraUploads")
        rt.run_event_sources()
        uploader = TimedUploader(
            NetworkUploader(
                handler_grants(lambda event: rt.hosts["CameraUploads"].invoke(event)),
                keys,
                {c.camera_id: c.network for c in cameras},
            )
        )
        sim = Simulator(
            rt.client("s3"), rt.name("bucket", "Snapshots"), cameras, seed=21, rate_per_s=None,
            config=SimulatorConfig(window_s=1800, threads=3), progress=None, uploader=uploader,
        )  # fmt: skip
        t1 = time.perf_counter()
        truth = sim.run(snapshots)
        rt.wait_idle(timeout_s=300)
        elapsed = time.perf_counter() - t1
        items = stored_reads(rt)
        ingest, grants = rt.hosts["Ingest"], rt.hosts["CameraUploads"]
        records = sum(p.records for p in rt.pollers)
    latencies = [
        int(i["ingested_ms"]["N"]) / 1000 - uploader.uploaded_at[i["snapshot_key"]["S"]]
        for i in items
        if i["snapshot_key"]["S"] in uploader.uploaded_at
    ]
    uploaded = len(uploader.uploaded_at)
    ingest_wall = sum(ingest.wall_ms) / max(1, records)
    ingest_cpu = sum(ingest.cpu_ms) / max(1, records)
    grant_wall = statistics.mean(grants.wall_ms) if grants.wall_ms else 0.0
    read_keys = {i["snapshot_key"]["S"] for i in items}
    networks = {c.network for c in cameras}
    reserved = _fn("Ingest").reserved_concurrency or 0
    capacity_cpu = reserved * 1000 / max(ingest_cpu, 1e-6)
    capacity_wall = reserved * 1000 / max(ingest_wall, 1e-6)
    p95 = statistics.quantiles(latencies, n=20, method="inclusive")[-1] if len(latencies) >= 20 else None
    rows += [
        {"name": "national fleet: networks", "value": len(networks), "unit": "networks",
         **goal(len(networks), MIN_NETWORKS, at_most=False), "notes": ", ".join(sorted(networks))},
        {"name": "national fleet: cameras", "value": len(cameras), "unit": "cameras",
         **goal(len(cameras), MIN_CAMERAS, at_most=False),
         "notes": f"{sum(c.kind == 'mobile' for c in cameras)} mobile (zone at their GPS)"},
        {"name": "national fleet: police zones", "value": zone_count, "unit": "zones",
         **goal(zone_count, MIN_ZONES, at_most=False), "notes": f"zone_at {zone_us:.0f} µs per lookup"},
        {"name": "per-network upload keys issued", "value": sum(1 for k in keys.values() if k), "unit": "keys",
         **goal(sum(1 for k in keys.values() if k), len(networks), at_most=False),
         "notes": f"zones, networks and cameras registered through the service in {register_s:.1f} s"},
        {"name": "uploads through POST /uploads", "value": uploaded, "unit": "snapshots",
         **goal(truth.stats.get("failed", 0), 0, "failed"),
         "notes": f"{len({s.camera_id for s in truth.sightings})} cameras of {len(networks)} networks, each "
         f"with its network's key; {truth.stats.get('failed', 0)} failed"},
        {"name": "ingest throughput (local runtime)", "value": round(uploaded / elapsed, 1), "unit": "snapshots/s",
         "notes": "2 ingest workers on 2 shared cores, moto in-process; render + grant + POST included"},
        {"name": "upload→read latency p50", "value": round(statistics.median(latencies), 2) if latencies else None,
         "unit": "s", "notes": f"{len(latencies)} reads; upload as fast as the machine goes (queueing included)"},
        {"name": "upload→read latency p95", "value": round(p95, 2) if p95 is not None else None, "unit": "s",
         "notes": "the queue grows while uploads outrun 2 workers: a backlog figure, not AWS's"},
        {"name": "snapshots read", "value": len(read_keys & set(uploader.uploaded_at)), "unit": "snapshots",
         "notes": f"of {uploaded}; {len(items)} reads stored"},
        {"name": "ingest time per snapshot", "value": round(ingest_wall, 1), "unit": "ms (wall)",
         "notes": f"{ingest_cpu:.0f} ms CPU; {records} records in {len(ingest.wall_ms)} batches"},
        {"name": "upload grant time", "value": round(grant_wall, 1), "unit": "ms (wall)",
         "notes": "CameraUploads: key check, camera lookup, presigned POST (moto)"},
        {"name": f"ingest capacity at reserved concurrency {reserved}", "value": round(capacity_cpu),
         "unit": "snapshots/s", **goal(capacity_cpu, NATIONAL_PEAK_PER_S, "snapshots/s", at_most=False),
         "notes": f"extrapolated: {reserved} × 1000 / {ingest_cpu:.0f} CPU ms (AWS's lower bound); "
         f"{capacity_wall:,.0f}/s at moto's wall time; goal: the national design peak (docs/decisions.md); "
         f"needs ≈ {math.ceil(NATIONAL_PEAK_PER_S * ingest_cpu / 1000)} concurrent executions"},
        {"name": "audit trail appends", "value": None, "unit": "appends/s",
         "notes": "measured and set against its design limit in accountability_bench (one chain)"},
    ]  # fmt: skip
    rows += cost_rows(ingest_wall, grant_wall, len(items) / max(1, uploaded),
                      1 - len(read_keys) / max(1, uploaded))  # fmt: skip
    return rows


if __name__ == "__main__":
    from bench.machine import print_table

    print_table("national_bench", run())
