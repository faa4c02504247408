"""Camera simulator: the Brussels seed, the road graph, seeded traffic, uploads and ground truth."""

from __future__ import annotations

import io
import itertools
import json
import time
from collections import Counter

import boto3
import pytest
from anpr.ingest.service import IngestPolicy, SnapshotIngestor
from anpr.ocr.camera_read import CameraReadEngine
from anpr.reads.cameras import load_seed
from anpr.reads.models import CameraKind, CameraStatus, CaptureMetadata
from anpr.reads.plates import is_valid_for
from moto import mock_aws
from PIL import Image

from local.simulator import (
    BAD_INPUTS,
    DEFAULT_CAMERAS,
    GroundTruth,
    RoadNetwork,
    Simulator,
    SimulatorConfig,
    generate_traffic,
)
from local.simulator.__main__ import main as cli_main
from local.simulator.geo import angle_diff, bearing_deg, haversine_m
from local.simulator.make_cameras import ZONE_NAMES, build_cameras
from tests.fakes.ingest import InMemoryQuarantineStore, InMemorySnapshotStore
from tests.fakes.reads import InMemoryCameraRegistry, InMemoryPlateReadRepository
from tests.helpers import NOW_MS

BUCKET = "snapshots"
ZONES = set(ZONE_NAMES)
#: Brussels-Capital region, and a little more for the R0 ring around it
REGION_BOX = (50.76, 50.92, 4.24, 4.49)
RING_BOX = (50.74, 50.94, 4.22, 4.51)


@pytest.fixture(scope="module")
def cameras():
    return load_seed(DEFAULT_CAMERAS)


@pytest.fixture(scope="module")
def network(cameras):
    return RoadNetwork.from_cameras(cameras)


def fake_render(plate_text, country, rng, size=(640, 480), night=False):
    """Stands in for anpr.ocr.render.render_snapshot where the picture itself does not matter."""
    shade = 40 if night else 200
    return Image.new("RGB", (64, 48), (shade, rng.randint(0, 255), shade)), (10, 20, 30, 8)


def inside(c, box) -> bool:
    return box[0] <= c.lat <= box[1] and box[2] <= c.lon <= box[3]


# ---------------------------------------------------------------------- the camera seed
def test_every_seed_camera_validates_and_the_fleet_covers_brussels(cameras):
    # GIVEN the committed Brussels seed (load_seed validates each entry as anpr.reads.models.Camera)
    fixed = [c for c in cameras if c.kind == CameraKind.FIXED]
    mobile = [c for c in cameras if c.kind == CameraKind.MOBILE]
    # THEN it is a Brussels-sized fleet with unique ids, in the six police zones
    assert len(fixed) >= 380 and 3 <= len(mobile) <= 12
    assert len({c.camera_id for c in cameras}) == len(cameras)
    assert {c.zone for c in cameras} == ZONES
    assert all(c.heading is not None and c.road and c.municipality for c in cameras)
    # AND every camera stands in the region, the R0 ring only slightly outside it
    assert all(inside(c, REGION_BOX) for c in cameras if c.road != "R0")
    assert all(inside(c, RING_BOX) for c in cameras)
    # AND a couple are retired
    assert 1 <= sum(c.status == CameraStatus.RETIRED for c in cameras) <= 5
    # AND the rings, access axes and tunnels are all watched
    roads = {c.road for c in cameras}
    assert {
        "R0",
        "R20 Petite Ceinture",
        "E40",
        "E19",
        "E411",
        "A12",
        "Tunnel Leopold II",
        "Tunnel Belliard",
        "Tunnel Stéphanie",
        "Tunnel Louise",
    } <= roads


def test_seed_file_is_exactly_what_make_cameras_generates(cameras):
    # GIVEN the generator script WHEN it runs again THEN it produces the committed file, camera for camera
    generated = build_cameras()
    assert [c.model_dump(exclude={"lat", "lon", "heading"}) for c in generated] == [
        c.model_dump(exclude={"lat", "lon", "heading"}) for c in cameras
    ]
    # (coordinates up to the last printed digit: libm may differ in the last ulp between machines)
    for g, c in zip(generated, cameras, strict=True):
        assert (
            abs(g.lat - c.lat) < 1e-5 and abs(g.lon - c.lon) < 1e-5 and angle_diff(g.heading, c.heading) < 0.2
        )


# ---------------------------------------------------------------------- the road graph
def test_links_lead_ahead_in_the_direction_of_traffic(network):
    # GIVEN the road graph built from the seed
    links = [lk for out in network.links.values() for lk in out]
    assert len(links) > len(network.cameras)
    for lk in links:
        a, b = network.cameras[lk.src], network.cameras[lk.dst]
        # THEN every link goes ahead of the camera, never back to the other carriageway
        assert angle_diff(bearing_deg(a.lat, a.lon, b.lat, b.lon), a.heading) <= 75
        assert angle_diff(a.heading, b.heading) <= 135
        # AND travel times come from plausible speeds
        assert 20 <= lk.speed_kmh <= 100.01
        if lk.same_road:
            assert a.road == b.road
    # AND retired cameras are not on it
    assert all(c.status == CameraStatus.ACTIVE for c in network.cameras.values())


def test_shortest_path_follows_links(network):
    # GIVEN two cameras on the inner ring WHEN asking the fastest way THEN each hop is a link
    src, dst = sorted(c for c, cam in network.cameras.items() if cam.road == "R20 Petite Ceinture")[:2]
    path = network.shortest_path(src, dst)
    assert path and path[0] == src and path[-1] == dst
    assert all(network.link(a, b) for a, b in itertools.pairwise(path))


# ---------------------------------------------------------------------- traffic
def test_same_seed_same_traffic_other_seed_other_traffic(network):
    # GIVEN the same network WHEN traffic is generated twice with one seed and once with another
    a = generate_traffic(network, 300, seed=11)
    b = generate_traffic(network, 300, seed=11)
    c = generate_traffic(network, 300, seed=12)
    # THEN the same seed gives the same ground truth, another seed does not
    assert a.to_dict() == b.to_dict()
    assert a.to_dict()["sightings"] != c.to_dict()["sightings"]
    assert len(a.sightings) == 300


def test_plates_are_valid_for_their_country_and_mostly_belgian(network):
    # GIVEN a large simulated fleet
    traffic = generate_traffic(network, 3000, seed=3)
    # THEN every plate fits its country's format and is unique to its vehicle
    assert all(is_valid_for(v.plate, v.country) for v in traffic.vehicles)
    assert len({v.plate for v in traffic.vehicles}) == len(traffic.vehicles)
    # AND about 80 % are Belgian, in the current and the older formats, the rest NL/FR/DE/LU
    countries = Counter(v.country for v in traffic.vehicles)
    assert 0.7 <= countries["BE"] / len(traffic.vehicles) <= 0.9
    assert set(countries) == {"BE", "NL", "FR", "DE", "LU"}
    be = [v.plate for v in traffic.vehicles if v.country == "BE"]
    assert any(p[0].isdigit() and p[1:4].isalpha() and len(p) == 7 for p in be)  # 1-ABC-234
    assert any(p[:3].isalpha() and p[3:].isdigit() for p in be)  # ABC-123
    assert any(p[:3].isdigit() and p[3:].isalpha() for p in be)  # 123-ABC


def test_a_vehicle_passes_its_route_in_order_at_plausible_speeds(network):
    # GIVEN simulated traffic
    traffic = generate_traffic(network, 1000, seed=5)
    routes = {v.vehicle_id: v.route for v in traffic.vehicles}
    for vid, seen in traffic.by_vehicle().items():
        # THEN each vehicle's sightings are its route, camera after camera, in increasing time
        assert tuple(s.camera_id for s in seen) == routes[vid]
        for a, b in itertools.pairwise(seen):
            assert network.link(a.camera_id, b.camera_id) is not None
            dt_s = (b.capture_ms - a.capture_ms) / 1000
            assert dt_s >= 2
            ca, cb = network.cameras[a.camera_id], network.cameras[b.camera_id]
            # AND the straight-line speed between two cameras is one a car can drive
            assert haversine_m(ca.lat, ca.lon, cb.lat, cb.lon) / dt_s * 3.6 < 140
    # AND routes are 3-15 cameras long (only the very last vehicle may be cut short to hit the count)
    lengths = [len(v.route) for v in traffic.vehicles[:-1]]
    assert min(lengths) >= 3 and max(lengths) <= 15
    # AND the fleet drives within the two-hour window
    assert traffic.sightings[0].capture_ms >= 0 and traffic.sightings[-1].capture_ms < 3 * 3600 * 1000


def test_convoy_partners_follow_their_target_within_the_gap(network):
    # GIVEN traffic with convoys
    traffic = generate_traffic(network, 600, seed=9, convoys=3)
    by_vehicle = traffic.by_vehicle()
    assert len(traffic.convoys) == 3
    for convoy in traffic.convoys:
        target, partner = by_vehicle[convoy.target], by_vehicle[convoy.partner]
        # THEN the partner drives the same ≥ 4 cameras, 2-20 s behind, and is marked as its follower
        assert [s.camera_id for s in target] == [s.camera_id for s in partner] and len(target) >= 4
        for t, p in zip(target, partner, strict=True):
            assert 2_000 <= p.capture_ms - t.capture_ms <= 20_000
            assert p.convoy_of == convoy.target and t.convoy_of is None


def test_mobile_unit_sightings_carry_their_own_position(network):
    # GIVEN a lot of traffic (mobile units stand on busy roads)
    traffic = generate_traffic(network, 4000, seed=1)
    mobile = [s for s in traffic.sightings if network.cameras[s.camera_id].kind == CameraKind.MOBILE]
    fixed = [s for s in traffic.sightings if network.cameras[s.camera_id].kind == CameraKind.FIXED]
    # THEN mobile sightings say where the unit stood (near its seed position), fixed ones do not
    assert mobile and all(s.lat is not None and s.heading is not None for s in mobile)
    for s in mobile:
        cam = network.cameras[s.camera_id]
        assert haversine_m(s.lat, s.lon, cam.lat, cam.lon) <= 30
    assert all(s.lat is None and s.lon is None and s.heading is None for s in fixed)


# ---------------------------------------------------------------------- uploads
@pytest.fixture
def s3():
    with mock_aws():
        client = boto3.client("s3", region_name="eu-west-1")
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        yield client


def test_uploaded_objects_carry_valid_metadata_and_keys(s3, cameras):
    # GIVEN a simulator on a moto bucket and a fixed clock
    lines = []
    sim = Simulator(
        s3,
        BUCKET,
        cameras,
        seed=7,
        rate_per_s=None,
        now_ms=lambda: NOW_MS,
        renderer=fake_render,
        progress=lines.append,
        config=SimulatorConfig(threads=2),
    )
    # WHEN it uploads 40 snapshots
    truth = sim.run(40)
    # THEN every sighting is an object under its camera's key with metadata the ingest accepts
    assert truth.stats["uploaded"] == 40 and truth.stats["failed"] == 0
    assert s3.list_objects_v2(Bucket=BUCKET)["KeyCount"] == 40
    by_id = {c.camera_id: c for c in cameras}
    for s in truth.sightings:
        assert s.uploaded and s.key.startswith(f"snapshots/{s.camera_id}/") and s.key.endswith(".jpg")
        assert f"/{s.capture_ms}_" in s.key
        head = s3.head_object(Bucket=BUCKET, Key=s.key)
        meta = CaptureMetadata.model_validate(head["Metadata"])
        assert meta.camera_id == s.camera_id and meta.capture_ms == s.capture_ms and meta.lane == s.lane
        assert meta.camera_plate == s.camera_plate
        assert (meta.lat is not None) == (by_id[s.camera_id].kind == CameraKind.MOBILE)
        # AND capture times lie in the recent past, never in the future
        assert NOW_MS - 4 * 3600 * 1000 < s.capture_ms <= NOW_MS
    body = s3.get_object(Bucket=BUCKET, Key=truth.sightings[0].key)["Body"].read()
    assert Image.open(io.BytesIO(body)).format == "JPEG"
    # AND progress was reported up to the end
    assert lines[-1].done == lines[-1].total == 40


def test_camera_reads_are_mostly_right_sometimes_wrong_or_absent(cameras):
    # GIVEN a plan of many snapshots (nothing uploaded)
    sim = Simulator(None, BUCKET, cameras, seed=4, now_ms=lambda: NOW_MS, renderer=fake_render)
    truth, _jobs = sim.plan(2000)
    # THEN the camera's own read is right most of the time, and sometimes wrong or missing
    right = sum(s.camera_plate == s.plate for s in truth.sightings) / 2000
    missing = sum(s.camera_plate is None for s in truth.sightings) / 2000
    assert 0.8 <= right <= 0.9 and 0.04 <= missing <= 0.1
    assert any(s.camera_plate not in (None, s.plate) for s in truth.sightings)


def test_the_plan_is_reproducible_for_a_seed_and_a_clock(cameras):
    # GIVEN two simulators with the same seed and clock WHEN they plan THEN keys and metadata are equal
    plans = [Simulator(None, BUCKET, cameras, seed=2, now_ms=lambda: NOW_MS).plan(200) for _ in range(2)]
    assert [(j.key, j.metadata) for j in plans[0][1]] == [(j.key, j.metadata) for j in plans[1][1]]


class _InMemoryS3:
    """Just enough of an S3 client to hand the simulator's uploads to the ingest logic."""

    def __init__(self, store: InMemorySnapshotStore):
        self.store = store
        self.refs = {}

    def put_object(self, Bucket, Key, Body, ContentType, Metadata):
        self.refs[Key] = self.store.add(Bucket, Key, Body, Metadata)


def test_bad_inputs_end_in_their_expected_quarantine_and_good_ones_are_read(cameras):
    # GIVEN a simulator injecting every kind of bad input among good snapshots
    store = InMemorySnapshotStore()
    s3 = _InMemoryS3(store)
    sim = Simulator(
        s3,
        BUCKET,
        cameras,
        seed=5,
        rate_per_s=None,
        now_ms=lambda: NOW_MS,
        renderer=fake_render,
        progress=None,
        config=SimulatorConfig(bad_fraction=0.25),
    )
    truth = sim.run(40)
    assert {b.kind for b in truth.bad_inputs} == set(BAD_INPUTS)
    # WHEN the platform's ingest logic (reading the camera's own plate) processes every upload
    quarantine, reads = InMemoryQuarantineStore(), InMemoryPlateReadRepository()
    ingestor = SnapshotIngestor(
        snapshots=store,
        quarantine=quarantine,
        cameras=InMemoryCameraRegistry(cameras),
        reads=reads,
        engine=CameraReadEngine(),
        policy=IngestPolicy(retention_days=365),
        clock=lambda: NOW_MS,
    )
    outcomes = {key: ingestor.ingest(ref) for key, ref in s3.refs.items()}
    # THEN each bad input is quarantined with the reason the ground truth expects
    for bad in truth.bad_inputs:
        out = outcomes[bad.key]
        assert out.status == "quarantined" and out.reason.value == bad.expected_reason, bad.kind
    # AND each good snapshot is stored, with the camera's read when it made one
    for s in truth.sightings:
        assert outcomes[s.key].status == "stored"
        assert len(outcomes[s.key].read_ids) == (1 if s.camera_plate else 0)


def test_uploads_keep_the_chosen_rate(s3, cameras):
    # GIVEN a rate of 40 uploads per second WHEN 9 snapshots are sent THEN it takes at least 8/40 s
    sim = Simulator(s3, BUCKET, cameras, seed=1, rate_per_s=40, renderer=fake_render, progress=None)
    t0 = time.perf_counter()
    truth = sim.run(9)
    assert time.perf_counter() - t0 >= 0.19 and truth.stats["uploaded"] == 9


def test_real_renderer_snapshots_and_truth_file_via_the_cli(s3, tmp_path, monkeypatch):
    # GIVEN the CLI on a (mocked) bucket
    out = tmp_path / "truth.json"
    # WHEN it uploads a few snapshots drawn by the project's renderer (anpr.ocr.render)
    rc = cli_main(
        ["--bucket", BUCKET, "--snapshots", "4", "--rate", "0", "--seed", "7", "--truth", str(out), "--quiet"]
    )
    # THEN they are real JPEG scenes and the ground truth file says what was sent
    assert rc == 0
    truth = GroundTruth.load(out)
    assert len(truth.sightings) == 4 and all(s.uploaded for s in truth.sightings)
    body = s3.get_object(Bucket=BUCKET, Key=truth.sightings[0].key)["Body"].read()
    assert Image.open(io.BytesIO(body)).size == (640, 480)
    assert json.loads(out.read_text())["stats"]["uploaded"] == 4


def test_ground_truth_round_trips_through_json(cameras, tmp_path):
    # GIVEN a planned ground truth WHEN written and loaded THEN nothing is lost
    sim = Simulator(
        None,
        BUCKET,
        cameras,
        seed=8,
        now_ms=lambda: NOW_MS,
        config=SimulatorConfig(bad_fraction=0.1, convoys=1),
    )
    truth, _ = sim.plan(100)
    assert GroundTruth.load(truth.write(tmp_path / "t.json")).to_dict() == truth.to_dict()


def test_snapshot_rng_is_per_snapshot(cameras):
    # GIVEN the renderer's rng for two snapshots WHEN drawn THEN they differ (no shared stream across threads)
    seen = []
    sim = Simulator(
        _InMemoryS3(InMemorySnapshotStore()),
        BUCKET,
        cameras,
        seed=3,
        rate_per_s=None,
        now_ms=lambda: NOW_MS,
        progress=None,
        renderer=lambda p, c, rng, size, night: (seen.append(rng.random()), fake_render(p, c, rng))[1],
    )
    sim.run(3)
    assert len(set(seen)) == 3
