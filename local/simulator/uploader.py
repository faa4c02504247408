"""Replays simulated traffic as camera uploads: one JPEG snapshot + capture metadata per sighting.

The traffic (``fleet.generate_traffic``) is laid onto the wall clock so that the newest passage
happened ``lag_s`` ago and the whole fleet drove during the last ``window_s``; the snapshots are
then uploaded in capture order at ``rate_per_s`` from a small thread pool. Snapshots are drawn by
``anpr.ocr.render.render_snapshot`` — the same renderer that makes the OCR training data.

Everything the platform should find is kept as ground truth (``GroundTruth``): each sighting with
its S3 key and what the camera itself read, the vehicles, the convoys, and each deliberately bad
upload with the quarantine reason it must end with.
"""

from __future__ import annotations

import io
import json
import random
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from anpr.ingest.snapshots import SNAPSHOT_PREFIX, snapshot_key
from anpr.reads.cameras import load_seed
from anpr.reads.models import Camera, CameraStatus, CaptureMetadata, QuarantineReason
from anpr.reads.plates import lookalikes, mask
from botocore.exceptions import BotoCoreError, ClientError

from local.simulator.fleet import Convoy, Sighting, Traffic, Vehicle, generate_traffic
from local.simulator.network import RoadNetwork
from local.simulator.network_uploads import NetworkUploader, UploadRefused

DEFAULT_CAMERAS = Path(__file__).resolve().parents[2] / "data" / "cameras" / "brussels.json"
_BRUSSELS = ZoneInfo("Europe/Brussels")
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

#: bad inputs the simulator can inject, and the quarantine reason each must get
BAD_INPUTS: dict[str, QuarantineReason] = {
    "truncated_jpeg": QuarantineReason.CORRUPT_IMAGE,
    "not_an_image": QuarantineReason.NOT_AN_IMAGE,
    "unknown_camera": QuarantineReason.UNKNOWN_CAMERA,
    "retired_camera": QuarantineReason.RETIRED_CAMERA,
    "missing_metadata": QuarantineReason.MISSING_METADATA,
    "invalid_metadata": QuarantineReason.INVALID_METADATA,
    "future_capture": QuarantineReason.FUTURE_CAPTURE,
    "expired_capture": QuarantineReason.EXPIRED_CAPTURE,
    #: written under another network's prefix with plain S3 access (never granted by /uploads)
    "wrong_network": QuarantineReason.WRONG_NETWORK,
}
UNKNOWN_CAMERA_ID = "SIM-UNKNOWN-0001"
#: the prefix a wrong_network input is forced under when the fleet has a single network
NO_SUCH_NETWORK = "unregistered-net"

#: (plate_text, country, rng, size, night) -> (image, plate box): anpr.ocr.render.render_snapshot's shape
Renderer = Callable[..., tuple]


@dataclass(frozen=True)
class SimulatorConfig:
    window_s: float = 7200.0  # the fleet drives during the last two hours...
    lag_s: float = 20.0  # ...and the newest passage happened this long ago
    camera_read_correct: float = 0.85  # the camera's own plate read is right this often,
    camera_read_missing: float = 0.07  # absent this often, and wrong (a look-alike) otherwise
    bad_fraction: float = 0.0  # share of uploads that are deliberately bad
    bad_kinds: tuple[str, ...] = tuple(BAD_INPUTS)
    convoys: int | None = None  # default: one per ~150 sightings
    threads: int = 3
    jpeg_quality: int = 85
    image_size: tuple[int, int] = (640, 480)
    night: bool | None = None  # None: dark or not from the Brussels clock at capture time
    retention_days: int = 365  # expired_capture inputs are older than this
    retries: int = 2

    def __post_init__(self):
        if not 0 <= self.bad_fraction <= 1:
            raise ValueError("bad_fraction must be within 0..1")
        if (
            self.camera_read_correct < 0
            or self.camera_read_missing < 0
            or (self.camera_read_correct + self.camera_read_missing > 1)
        ):
            raise ValueError("camera_read_correct + camera_read_missing must be within 0..1")
        if unknown := set(self.bad_kinds) - set(BAD_INPUTS):
            raise ValueError(f"unknown bad input kinds: {sorted(unknown)}")
        if self.threads < 1:
            raise ValueError("threads must be ≥ 1")


@dataclass(frozen=True)
class BadInput:
    kind: str
    expected_reason: str  # a QuarantineReason value
    key: str
    camera_id: str | None
    capture_ms: int | None
    uploaded: bool = False


@dataclass
class UploadStats:
    planned: int = 0
    uploaded: int = 0
    failed: int = 0
    bad_inputs: int = 0
    bytes: int = 0
    elapsed_s: float = 0.0
    render_ms_total: float = 0.0
    put_ms_total: float = 0.0

    @property
    def rate_per_s(self) -> float:
        return self.uploaded / self.elapsed_s if self.elapsed_s else 0.0

    def to_dict(self) -> dict:
        done = max(1, self.uploaded + self.failed)
        return {
            **asdict(self),
            "rate_per_s": round(self.rate_per_s, 2),
            "render_ms_mean": round(self.render_ms_total / done, 1),
            "put_ms_mean": round(self.put_ms_total / done, 1),
        }


@dataclass
class GroundTruth:
    seed: int
    bucket: str
    now_ms: int  # the wall clock the traffic was laid onto
    sightings: list[Sighting]
    vehicles: list[Vehicle]
    convoys: list[Convoy]
    bad_inputs: list[BadInput] = field(default_factory=list)
    stats: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "seed": self.seed,
            "bucket": self.bucket,
            "now_ms": self.now_ms,
            "stats": self.stats,
            "vehicles": [asdict(v) for v in self.vehicles],
            "convoys": [asdict(c) for c in self.convoys],
            "sightings": [s.to_dict() for s in self.sightings],
            "bad_inputs": [asdict(b) for b in self.bad_inputs],
        }

    def write(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=1) + "\n")
        return path

    @classmethod
    def load(cls, path: str | Path) -> GroundTruth:
        d = json.loads(Path(path).read_text())
        return cls(
            seed=d["seed"],
            bucket=d["bucket"],
            now_ms=d["now_ms"],
            stats=d.get("stats", {}),
            sightings=[Sighting(**s) for s in d["sightings"]],
            vehicles=[Vehicle(**{**v, "route": tuple(v["route"])}) for v in d["vehicles"]],
            convoys=[Convoy(**{**c, "gaps_s": tuple(c["gaps_s"])}) for c in d["convoys"]],
            bad_inputs=[BadInput(**b) for b in d["bad_inputs"]],
        )


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    failed: int
    elapsed_s: float


def print_progress(p: Progress, stream=None) -> None:
    """A plain progress line every ~5 % (no extra dependency)."""
    step = max(1, p.total // 20)
    if p.done % step == 0 or p.done == p.total:
        rate = p.done / p.elapsed_s if p.elapsed_s else 0.0
        out = stream or sys.stderr
        out.write(
            f"simulator: {p.done}/{p.total} snapshots ({100 * p.done // max(1, p.total)}%), "
            f"{rate:.1f}/s, {p.failed} failed\n"
        )
        out.flush()


@dataclass(frozen=True)
class UploadJob:
    """One planned upload: where it goes, its metadata, and what to draw."""

    index: int
    key: str
    metadata: dict[str, str]
    plate: str
    country: str
    night: bool
    sighting: Sighting | None = None
    bad: BadInput | None = None


def is_dark(capture_ms: int) -> bool:
    """Rough Brussels darkness by month and local hour (street-lit, infrared snapshots)."""
    t = datetime.fromtimestamp(capture_ms / 1000, tz=UTC).astimezone(_BRUSSELS)
    dawn, dusk = {
        11: (8, 17),
        12: (8, 17),
        1: (8, 17),
        2: (7, 18),
        3: (7, 19),
        10: (7, 18),
        4: (6, 20),
        9: (7, 19),
    }.get(t.month, (6, 21))
    return t.hour < dawn or t.hour >= dusk


def _project_renderer() -> Renderer:
    """The one plate/scene renderer of the project (also draws the OCR training data)."""
    from anpr.ocr.render import render_snapshot

    return render_snapshot


class Simulator:
    """Uploads a seeded, replayable camera day to ``bucket`` and keeps its ground truth."""

    def __init__(
        self,
        s3_client,
        bucket: str,
        cameras: Sequence[Camera],
        seed: int = 0,
        rate_per_s: float | None = 10.0,
        config: SimulatorConfig | None = None,
        progress: Callable[[Progress], None] | None = print_progress,
        now_ms: Callable[[], int] | None = None,
        renderer: Renderer | None = None,
        sleep: Callable[[float], None] = time.sleep,
        uploader: NetworkUploader | None = None,
    ):
        self.s3 = s3_client
        self.bucket = bucket
        self.cameras = list(cameras)
        self.seed = seed
        self.rate_per_s = rate_per_s
        self.config = config or SimulatorConfig()
        self.progress = progress
        self.now_ms = now_ms or (lambda: int(time.time() * 1000))
        self._renderer = renderer
        self._sleep = sleep
        self.network = RoadNetwork.from_cameras(self.cameras)
        #: cameras of networks upload through POST /uploads with their network's key (good
        #: snapshots); None: straight to the bucket (the Brussels pilot's cameras)
        self.uploader = uploader
        self._network_of = {c.camera_id: c.network for c in self.cameras}

    def _key(self, camera_id: str, capture_ms: int, unique: str, network: str | None = None) -> str:
        """snapshots/{network}/{camera}/... for a network's camera, snapshots/{camera}/... otherwise."""
        legacy = snapshot_key(camera_id, capture_ms, unique)
        network = network if network is not None else self._network_of.get(camera_id, "")
        if not network:
            return legacy
        return f"{SNAPSHOT_PREFIX}{network}/{legacy.removeprefix(SNAPSHOT_PREFIX)}"

    # ------------------------------------------------------------------ planning (pure)
    def plan(self, n_snapshots: int) -> tuple[GroundTruth, list[UploadJob]]:
        """The uploads, in capture order, and their ground truth; nothing is sent yet."""
        cfg = self.config
        rng = random.Random(f"simulator/{self.seed}")
        n_bad = round(n_snapshots * cfg.bad_fraction) if cfg.bad_kinds else 0
        traffic: Traffic = generate_traffic(
            self.network, n_snapshots - n_bad, seed=self.seed, window_s=cfg.window_s, convoys=cfg.convoys
        )
        now = self.now_ms()
        if traffic.sightings:
            traffic = traffic.shifted(now - round(cfg.lag_s * 1000) - traffic.sightings[-1].capture_ms)
        jobs: list[UploadJob] = []
        sightings: list[Sighting] = []
        for s in traffic.sightings:
            s = self._with_camera_read(s, rng)
            unique = f"{rng.getrandbits(128):032x}"
            s = replace(s, key=self._key(s.camera_id, s.capture_ms, unique))
            sightings.append(s)
            jobs.append(
                UploadJob(
                    0, s.key, self._metadata(s), s.plate, s.country, self._night(s.capture_ms), sighting=s
                )
            )
        bad_jobs = [self._bad_job(rng, now, i) for i in range(n_bad)]
        # bad uploads land at seeded places among the good ones
        for job in bad_jobs:
            jobs.insert(rng.randint(0, len(jobs)), job)
        jobs = [replace(j, index=i) for i, j in enumerate(jobs)]
        truth = GroundTruth(
            seed=self.seed,
            bucket=self.bucket,
            now_ms=now,
            sightings=sightings,
            vehicles=traffic.vehicles,
            convoys=traffic.convoys,
            bad_inputs=[j.bad for j in jobs if j.bad],
        )
        return truth, jobs

    def _night(self, capture_ms: int) -> bool:
        return self.config.night if self.config.night is not None else is_dark(capture_ms)

    def _with_camera_read(self, s: Sighting, rng: random.Random) -> Sighting:
        """What the camera's own ANPR reported: right, missing, or a look-alike misread."""
        r = rng.random()
        if r < self.config.camera_read_missing:
            return s
        if r < self.config.camera_read_missing + self.config.camera_read_correct:
            plate, conf = s.plate, rng.uniform(0.75, 0.99)
        else:
            options = lookalikes(s.plate, max_swaps=1)
            if options:
                plate = rng.choice(options)
            else:
                i = rng.randrange(len(s.plate))
                plate = s.plate[:i] + rng.choice(_ALNUM.replace(s.plate[i], "")) + s.plate[i + 1 :]
            conf = rng.uniform(0.45, 0.9)
        country = s.country if rng.random() < 0.95 else None
        return replace(
            s, camera_plate=plate, camera_plate_confidence=round(conf, 3), camera_plate_country=country
        )

    @staticmethod
    def _metadata(s: Sighting) -> dict[str, str]:
        return CaptureMetadata.model_validate(
            {
                "camera-id": s.camera_id,
                "capture-ms": s.capture_ms,
                "lane": s.lane,
                "direction": s.direction,
                "lat": s.lat,
                "lon": s.lon,
                "heading": s.heading,
                "camera-plate": s.camera_plate,
                "camera-plate-confidence": s.camera_plate_confidence,
                "camera-plate-country": s.camera_plate_country,
            }
        ).to_s3_metadata()

    def _bad_job(self, rng: random.Random, now: int, n: int) -> UploadJob:
        cfg = self.config
        retired = sorted(c.camera_id for c in self.cameras if c.status == CameraStatus.RETIRED)
        kinds = [k for k in cfg.bad_kinds if k != "retired_camera" or retired]
        if not kinds:
            raise ValueError("no bad input kind applies to these cameras (none is retired)")
        kind = kinds[n % len(kinds)] if n < len(kinds) else rng.choice(kinds)  # each kind at least once
        camera_id = rng.choice(sorted(self.network.cameras))
        capture_ms = now - round(rng.uniform(cfg.lag_s, cfg.window_s) * 1000)
        if kind == "unknown_camera":
            camera_id = UNKNOWN_CAMERA_ID
        elif kind == "retired_camera":
            camera_id = rng.choice(retired)
        elif kind == "future_capture":
            capture_ms = now + 3_600_000
        elif kind == "expired_capture":
            capture_ms = now - (cfg.retention_days + 30) * 86_400_000
        meta = CaptureMetadata.model_validate(
            {"camera-id": camera_id, "capture-ms": capture_ms}
        ).to_s3_metadata()
        if kind == "missing_metadata":
            del meta["camera-id"]
        elif kind == "invalid_metadata":
            meta["lane"] = "left"
        networks = sorted({n for n in self._network_of.values() if n})
        own = self._network_of.get(camera_id) or (networks[0] if networks else "")
        if kind == "wrong_network":
            own = next((n for n in networks if n != self._network_of.get(camera_id)), NO_SUCH_NETWORK)
        key = self._key(camera_id, capture_ms, f"{rng.getrandbits(128):032x}", own)
        country = "BE"
        plate = f"{rng.randint(1, 2)}{''.join(rng.choice(_ALNUM[:26]) for _ in range(3))}{rng.randint(0, 999):03d}"
        bad = BadInput(kind, BAD_INPUTS[kind].value, key, meta.get("camera-id"), capture_ms)
        return UploadJob(0, key, meta, plate, country, self._night(capture_ms), bad=bad)

    # ------------------------------------------------------------------ uploading
    def _render(self, job: UploadJob) -> tuple[bytes, float]:
        if job.bad and job.bad.kind == "not_an_image":
            return b"%PDF-1.4\n% camera firmware dumped a report instead of a snapshot\n" * 8, 0.0
        render = self._renderer or _project_renderer()
        t0 = time.perf_counter()
        rng = random.Random((self.seed << 24) ^ job.index)
        image, _box = render(job.plate, job.country, rng, size=self.config.image_size, night=job.night)
        buf = io.BytesIO()
        image.convert("RGB").save(buf, format="JPEG", quality=self.config.jpeg_quality)
        body = buf.getvalue()
        if job.bad and job.bad.kind == "truncated_jpeg":
            body = body[: max(64, len(body) * 2 // 5)]
        return body, (time.perf_counter() - t0) * 1000

    def _put(self, job: UploadJob, body: bytes) -> str | None:
        """The key the snapshot was stored under (the grant's, through /uploads), or None."""
        for attempt in range(self.config.retries + 1):
            try:
                if self.uploader is not None and job.bad is None:
                    return self.uploader.upload(job.sighting.camera_id, body, job.metadata)
                # bad inputs go straight to the bucket: /uploads would refuse most of them
                self.s3.put_object(
                    Bucket=self.bucket,
                    Key=job.key,
                    Body=body,
                    ContentType="image/jpeg",
                    Metadata=job.metadata,
                )
                return job.key
            except UploadRefused as exc:
                if exc.status < 500 or attempt == self.config.retries:
                    return None
                self._sleep(0.2 * (attempt + 1))
            except (ClientError, BotoCoreError, OSError):
                if attempt == self.config.retries:
                    return None
                self._sleep(0.2 * (attempt + 1))
        return None

    def run(self, n_snapshots: int) -> GroundTruth:
        """Plan, render and upload ``n_snapshots``; the ground truth says what was sent and what failed."""
        from concurrent.futures import ThreadPoolExecutor

        truth, jobs = self.plan(n_snapshots)
        self._renderer = self._renderer or _project_renderer()  # imported once, before the threads start
        stats = UploadStats(planned=len(jobs), bad_inputs=len(truth.bad_inputs))
        results: dict[int, str | None] = {}
        lock = threading.Lock()
        in_flight = threading.BoundedSemaphore(self.config.threads * 2)
        start = time.perf_counter()

        def work(job: UploadJob) -> None:
            try:
                body, render_ms = self._render(job)
                t0 = time.perf_counter()
                stored = self._put(job, body)
                ok = stored is not None
                put_ms = (time.perf_counter() - t0) * 1000
                with lock:
                    results[job.index] = stored
                    stats.render_ms_total += render_ms
                    stats.put_ms_total += put_ms
                    if ok:
                        stats.uploaded += 1
                        stats.bytes += len(body)
                    else:
                        stats.failed += 1
                    if self.progress:  # under the lock: lines come out in order
                        self.progress(
                            Progress(
                                stats.uploaded + stats.failed,
                                len(jobs),
                                stats.failed,
                                time.perf_counter() - start,
                            )
                        )
            finally:
                in_flight.release()

        with ThreadPoolExecutor(max_workers=self.config.threads, thread_name_prefix="camera") as pool:
            futures = []
            for i, job in enumerate(jobs):
                if self.rate_per_s:
                    delay = start + i / self.rate_per_s - time.perf_counter()
                    if delay > 0:
                        self._sleep(delay)
                in_flight.acquire()
                futures.append(pool.submit(work, job))
            for f in futures:
                f.result()  # a renderer bug should fail the run loudly, not silently
        stats.elapsed_s = round(time.perf_counter() - start, 3)

        # the grant names the key a camera uploads to: the ground truth keeps the stored one
        truth.sightings = [
            replace(j.sighting, uploaded=results.get(j.index) is not None, key=results.get(j.index) or j.key)
            for j in jobs
            if j.sighting
        ]
        truth.bad_inputs = [replace(j.bad, uploaded=results.get(j.index) is not None) for j in jobs if j.bad]
        truth.stats = stats.to_dict()
        return truth


def describe(truth: GroundTruth) -> str:
    """One human line about a run (plates masked: they are personal data, even simulated ones)."""
    s = truth.stats
    example = mask(truth.sightings[0].plate) if truth.sightings else "-"
    return (
        f"{s.get('uploaded', 0)}/{s.get('planned', 0)} snapshots to s3://{truth.bucket} in {s.get('elapsed_s', 0)}s "
        f"({s.get('rate_per_s', 0)}/s; render {s.get('render_ms_mean', 0)} ms, put {s.get('put_ms_mean', 0)} ms); "
        f"{len(truth.vehicles)} vehicles, {len(truth.convoys)} convoys, {len(truth.bad_inputs)} bad inputs, "
        f"{s.get('failed', 0)} failed; first plate {example}"
    )


def simulate(
    seed: int,
    n_snapshots: int,
    *,
    s3_client,
    bucket: str,
    cameras: Sequence[Camera] | None = None,
    cameras_path: str | Path = DEFAULT_CAMERAS,
    rate_per_s: float | None = 10.0,
    config: SimulatorConfig | None = None,
    truth_path: str | Path | None = None,
    progress: Callable[[Progress], None] | None = print_progress,
    now_ms: Callable[[], int] | None = None,
    uploader: NetworkUploader | None = None,
) -> GroundTruth:
    """Upload ``n_snapshots`` simulated snapshots (cameras from the Brussels seed unless given;
    with ``uploader``, networks' cameras through POST /uploads with their network's key)."""
    cams = list(cameras) if cameras is not None else load_seed(Path(cameras_path))
    sim = Simulator(
        s3_client,
        bucket,
        cams,
        seed=seed,
        rate_per_s=rate_per_s,
        config=config,
        progress=progress,
        now_ms=now_ms,
        uploader=uploader,
    )
    truth = sim.run(n_snapshots)
    if truth_path:
        truth.write(truth_path)
    return truth
