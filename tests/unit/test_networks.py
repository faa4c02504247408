"""Networks, cameras, zones and upload grants with in-memory fakes (anpr.networks)."""

import json

import pytest
from anpr.kernel.auth import Caller
from anpr.kernel.clock import ManualClock
from anpr.kernel.errors import BadRequest, Conflict, NotFound
from anpr.kernel.platform import ROOT
from anpr.networks import credentials
from anpr.networks.models import CameraIn, ImportRequest, NetworkIn, UploadRequest
from anpr.networks.service import (
    BadCredentials,
    NetworkService,
    UploadRefused,
    UploadService,
    camera_belongs,
    camera_of_key,
    network_of_key,
)
from anpr.networks.zones import ZoneMap, load_zone_files, zones_from_geojson
from anpr.reads.models import CameraStatus

from tests.builders.networks import square_zone
from tests.fakes.accountability import InMemoryAuditTrail
from tests.fakes.networks import InMemoryNetworkStore, InMemoryZoneStore, RecordingSigner, RefusalLog
from tests.fakes.reads import InMemoryCameraRegistry
from tests.helpers import NOW_MS

OPS = Caller(user_id="sub-olga", username="olga", groups=frozenset({"ops"}))


ZONES = {
    "type": "FeatureCollection",
    "features": [square_zone("ZONE-A", 4.0, 50.0), square_zone("ZONE-B", 5.0, 50.0)],
}


def network_in(nid: str = "city-a", zones=("ZONE-A",)) -> NetworkIn:
    return NetworkIn(
        network_id=nid, name=nid.title(), kind="city", contact="ops@city.example", zones=list(zones)
    )


@pytest.fixture
def world():
    clock = ManualClock(NOW_MS)
    networks, cameras, audit = InMemoryNetworkStore(), InMemoryCameraRegistry(), InMemoryAuditTrail(clock)
    service = NetworkService(networks, cameras, InMemoryZoneStore(), audit, clock)
    service.load_zones(OPS, ZONES)
    signer, refusals = RecordingSigner(), RefusalLog()
    uploads = UploadService(networks, cameras, signer, audit, refusals, clock, max_bytes=2_000_000)
    return service, uploads, cameras, audit, signer, refusals


def test_zone_at_finds_the_polygon_and_none_outside():
    # GIVEN two adjacent square zones and a federal unit covering both
    doc = {**ZONES, "features": [*ZONES["features"], square_zone("FED-X", 3.0, 49.0, 5.0, kind="federal")]}
    zones = ZoneMap(zones_from_geojson(doc))
    # WHEN points are looked up THEN local zones win over the federal unit, outside is None
    assert zones.zone_at(50.5, 4.5) == "ZONE-A"
    assert zones.zone_at(50.5, 5.5) == "ZONE-B"
    assert zones.zone_at(49.5, 3.5) == "FED-X"
    assert zones.zone_at(10.0, 10.0) is None


def test_zone_at_respects_holes():
    # GIVEN a zone with a hole in its middle
    outer = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
    hole = [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]
    feature = {"type": "Feature", "properties": {"code": "DONUT", "languages": ["fr"]},
               "geometry": {"type": "Polygon", "coordinates": [outer, hole]}}  # fmt: skip
    zones = ZoneMap(zones_from_geojson({"type": "FeatureCollection", "features": [feature]}))
    # THEN the hole is outside
    assert zones.zone_at(2, 2) == "DONUT"
    assert zones.zone_at(5, 5) is None


def test_a_bad_zones_file_is_a_400_naming_the_feature():
    doc = {
        "type": "FeatureCollection",
        "features": [{"properties": {"code": "X-1"}, "geometry": {"type": "Point"}}],
    }
    with pytest.raises(BadRequest, match="feature 1"):
        zones_from_geojson(doc)
    with pytest.raises(BadRequest, match="twice"):
        zones_from_geojson({**ZONES, "features": ZONES["features"] * 2})


def test_the_national_zones_file_holds_the_brussels_cameras_in_their_zones():
    # GIVEN the shipped zones file and the Brussels demo's cameras
    zones = ZoneMap(load_zone_files(sorted((ROOT / "data/zones").glob("*.geojson"))))
    cams = json.loads((ROOT / "data/cameras/brussels.json").read_text())
    # THEN 20+ zones, the six Brussels ones among them, and ≥ 99 % of cameras map to their zone
    assert len(zones) >= 20
    assert {f"BXL-{n}" for n in range(5339, 5345)} <= set(zones.zones)
    kept = sum(zones.zone_at(c["lat"], c["lon"]) == c["zone"] for c in cams)
    assert kept >= 0.99 * len(cams)


def test_adding_a_zone_is_a_data_change(world):
    # GIVEN a camera position outside every loaded zone
    service = world[0]
    service.register(OPS, network_in())
    cam = CameraIn(camera_id="C-1", lat=52.5, lon=4.5)
    with pytest.raises(BadRequest, match="no loaded zone"):
        service.register_camera(OPS, "city-a", cam)
    # WHEN ops load a zones file with one more zone THEN the same camera registers into it
    service.load_zones(OPS, {**ZONES, "features": [*ZONES["features"], square_zone("ZONE-NEW", 4.0, 52.0)]})
    assert service.register_camera(OPS, "city-a", cam)["zone"] == "ZONE-NEW"


def test_register_network_issues_a_key_shown_once_and_stored_hashed(world):
    service, _, _, audit, *_ = world
    # WHEN ops register a network
    out = service.register(OPS, network_in())
    # THEN the key is returned, only its hash is stored, and the registration is audited
    presented = credentials.parse(out["upload_key"])
    stored = service.get("city-a")
    assert presented.network_id == "city-a" and stored.key_hash == credentials.hash_secret(presented.secret)
    assert presented.secret not in json.dumps(service.list())
    assert "key_hash" not in out
    assert [e.action for e in audit.events][-1] == "network.registered"
    assert audit.events[-1].actor_id == "sub-olga"


def test_network_codes_and_unknown_zones_are_refused(world):
    service = world[0]
    service.register(OPS, network_in())
    with pytest.raises(Conflict):
        service.register(OPS, network_in())
    with pytest.raises(BadRequest, match="unknown zones"):
        service.register(OPS, network_in("city-b", zones=("ZONE-Z",)))
    with pytest.raises(ValueError):
        network_in("City B")


def test_fixed_cameras_take_their_zone_from_position_mobile_from_the_network(world):
    service = world[0]
    service.register(OPS, network_in(zones=("ZONE-B",)))
    fixed = service.register_camera(OPS, "city-a", CameraIn(camera_id="F-1", lat=50.5, lon=4.5, lanes=2))
    mobile = service.register_camera(OPS, "city-a", CameraIn(camera_id="M-1", kind="mobile", lat=0, lon=0))
    assert (fixed["zone"], fixed["network"], fixed["lanes"]) == ("ZONE-A", "city-a", 2)
    assert mobile["zone"] == "ZONE-B"


def test_a_camera_cannot_be_taken_over_by_another_network(world):
    service = world[0]
    service.register(OPS, network_in("city-a"))
    service.register(OPS, network_in("city-b"))
    service.register_camera(OPS, "city-a", CameraIn(camera_id="C-1", lat=50.5, lon=4.5))
    with pytest.raises(Conflict, match="belongs to city-a"):
        service.register_camera(OPS, "city-b", CameraIn(camera_id="C-1", lat=50.5, lon=4.5))
    with pytest.raises(NotFound):
        service.retire_camera(OPS, "city-b", "C-1")


def test_csv_import_reports_each_line(world):
    service, _, cameras, audit, *_ = world
    service.register(OPS, network_in())
    content = (
        "camera_id,name,kind,lat,lon,heading,lanes,road\n"
        "C-1,Gate 1,fixed,50.5,4.5,90,2,N1\n"
        "C-2,Gate 2,fixed,95,4.5,,,N1\n"  # latitude out of range
        "C-1,Gate 1 again,fixed,50.5,4.5,,,N1\n"  # duplicate
        "C-3,Far,fixed,60,4.5,,,N1\n"  # outside every zone
        "C-4,Van,mobile,50.5,5.5,,,\n"
    )
    report = service.import_cameras(OPS, "city-a", ImportRequest(format="csv", content=content))
    assert (report.registered, report.rejected) == (2, 3)
    by_line = {ln.line: ln for ln in report.lines}
    assert by_line[2].outcome == "registered"
    assert "lat" in by_line[3].reason
    assert "earlier in this file" in by_line[4].reason
    assert "no loaded zone" in by_line[5].reason
    assert {c.camera_id for c in cameras.list()} == {"C-1", "C-4"}
    assert audit.events[-1].detail == {"format": "csv", "registered": 2, "rejected": 3}


def test_csv_with_an_unknown_column_is_refused_whole(world):
    service = world[0]
    service.register(OPS, network_in())
    with pytest.raises(BadRequest, match="unknown CSV columns"):
        service.import_cameras(
            OPS, "city-a", ImportRequest(format="csv", content="camera_id,lat,lon,plate\n")
        )


def test_geojson_import(world):
    service = world[0]
    service.register(OPS, network_in())
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"camera_id": "G-1", "heading": 45, "road": "R0"},
         "geometry": {"type": "Point", "coordinates": [4.5, 50.5]}},
        {"type": "Feature", "properties": {"camera_id": "G-2"}, "geometry": {"type": "LineString", "coordinates": []}},
    ]}  # fmt: skip
    report = service.import_cameras(OPS, "city-a", ImportRequest(format="geojson", content=json.dumps(doc)))
    assert [(ln.camera_id, ln.outcome) for ln in report.lines] == [("G-1", "registered"), ("G-2", "rejected")]


def test_retiring_a_network_revokes_its_key_and_retires_its_cameras(world):
    service, uploads, cameras, _audit, _, refusals = world
    key = service.register(OPS, network_in())["upload_key"]
    service.register_camera(OPS, "city-a", CameraIn(camera_id="C-1", lat=50.5, lon=4.5))
    assert uploads.grant(key, UploadRequest(camera_id="C-1")).key.startswith("snapshots/city-a/C-1/")
    # WHEN ops retire the network
    out = service.retire(OPS, "city-a")
    # THEN the old key no longer signs anything and the camera is retired
    assert out["cameras_retired"] == 1 and out["has_credential"] is False
    assert cameras.get("C-1").status == CameraStatus.RETIRED
    with pytest.raises(BadCredentials):
        uploads.grant(key, UploadRequest(camera_id="C-1"))
    assert refusals.refusals[-1] == ("city-a", "bad_credentials")
    with pytest.raises(Conflict, match="retired"):
        service.register_camera(OPS, "city-a", CameraIn(camera_id="C-2", lat=50.5, lon=4.5))


def test_rotating_the_key_revokes_the_old_one(world):
    service, uploads, *_ = world
    old = service.register(OPS, network_in())["upload_key"]
    service.register_camera(OPS, "city-a", CameraIn(camera_id="C-1", lat=50.5, lon=4.5))
    new = service.rotate_key(OPS, "city-a")["upload_key"]
    assert uploads.grant(new, UploadRequest(camera_id="C-1"))
    with pytest.raises(BadCredentials):
        uploads.grant(old, UploadRequest(camera_id="C-1"))


def test_upload_grant_is_bound_to_the_cameras_prefix_type_and_size(world):
    service, uploads, _, _, signer, _ = world
    key = service.register(OPS, network_in())["upload_key"]
    service.register_camera(OPS, "city-a", CameraIn(camera_id="C-1", lat=50.5, lon=4.5))
    grant = uploads.grant(key, UploadRequest(camera_id="C-1", content_type="image/png"))
    assert grant.key.startswith("snapshots/city-a/C-1/2026/11/18/") and grant.key.endswith(".png")
    assert signer.calls == [(grant.key, "image/png", 2_000_000, 300)]
    assert (network_of_key(grant.key), camera_of_key(grant.key)) == ("city-a", "C-1")


def test_a_camera_of_network_a_cannot_upload_as_network_b(world):
    # GIVEN two networks, each with a camera
    service, uploads, _cameras, audit, signer, refusals = world
    key_a = service.register(OPS, network_in("city-a"))["upload_key"]
    service.register(OPS, network_in("city-b"))
    service.register_camera(OPS, "city-b", CameraIn(camera_id="B-1", lat=50.5, lon=5.5))
    # WHEN network A's key asks to upload for B's camera
    with pytest.raises(UploadRefused, match="another network"):
        uploads.grant(key_a, UploadRequest(camera_id="B-1"))
    # THEN nothing is signed, the refusal is counted and audited for ops
    assert signer.calls == []
    assert refusals.refusals == [("city-a", "camera_of_another_network")]
    event = audit.events[-1]
    assert (event.action, event.outcome, event.actor_id) == ("upload.refused", "denied", "network:city-a")
    assert event.detail == {"camera_network": "city-b"}


def test_forged_and_malformed_keys_are_refused(world):
    service, uploads, *_ = world
    key = service.register(OPS, network_in())["upload_key"]
    service.register_camera(OPS, "city-a", CameraIn(camera_id="C-1", lat=50.5, lon=4.5))
    head, _, secret = key.partition(".")
    for token in (f"{head}.{secret[:-1]}x", "", "nonsense", key.replace("city-a", "city-b")):
        with pytest.raises(BadCredentials):
            uploads.grant(token, UploadRequest(camera_id="C-1"))


def test_camera_belongs_checks_network_and_status(world):
    service, _, cameras, *_ = world
    service.register(OPS, network_in())
    service.register_camera(OPS, "city-a", CameraIn(camera_id="C-1", lat=50.5, lon=4.5))
    assert camera_belongs(cameras.get("C-1"), "city-a")
    assert not camera_belongs(cameras.get("C-1"), "city-b")
    assert not camera_belongs(None, "city-a")
    service.retire_camera(OPS, "city-a", "C-1")
    assert not camera_belongs(cameras.get("C-1"), "city-a")
    assert network_of_key("snapshots/C-1/2026/x.jpg") == "C-1"  # legacy layout: ingest must check
    assert network_of_key("crops/a/b/c.jpg") == ""


def test_no_zone_or_network_is_named_in_the_networks_code_or_the_infra():
    # GIVEN every zone code and network id of the national data
    zones = {z.code for z in load_zone_files(sorted((ROOT / "data/zones").glob("*.geojson")))}
    networks = {
        json.loads(p.read_text())["network"]["network_id"] for p in (ROOT / "data/networks").glob("*.json")
    }
    sources = [
        *(ROOT / "layers/shared/python/anpr/networks").glob("*.py"),
        *(ROOT / "functions/networks_api").glob("*.py"),
        *(ROOT / "infra").rglob("*.py"),
    ]
    # THEN none of them appears in the code that serves them (they are rows, not constants)
    for path in sources:
        text = path.read_text()
        named = sorted(n for n in zones | networks if n in text)
        assert not named, (path, named)


def test_an_import_reads_the_registry_once_not_once_per_line(world):
    # GIVEN a registry that counts single-camera reads
    service, _, cameras, *_ = world
    service.register(OPS, network_in())
    gets = []
    original = cameras.get
    cameras.get = lambda camera_id: gets.append(camera_id) or original(camera_id)
    rows = "\n".join(f"C-{i},50.5,4.5" for i in range(50))
    # WHEN 50 cameras are imported THEN none of them costs its own read
    report = service.import_cameras(
        OPS, "city-a", ImportRequest(format="csv", content=f"camera_id,lat,lon\n{rows}\n")
    )
    assert report.registered == 50 and gets == []


def test_seed_registers_the_national_data_and_returns_one_key_per_network(world):
    from anpr.networks.seed import SEED_CALLER, seed

    service, uploads, cameras, *_ = world
    zone_files = sorted((ROOT / "data/zones").glob("*.geojson"))
    network_files = sorted((ROOT / "data/networks").glob("*.json"))
    # WHEN the national data is seeded
    keys = seed(service, SEED_CALLER, zone_files, network_files)
    # THEN 4+ networks, 2,000+ cameras, each network's key uploads for its own cameras only
    assert len(keys) >= 4 and all(keys.values())
    all_cameras = cameras.list()
    assert len(all_cameras) >= 2000
    one_per_network = {c.network: c.camera_id for c in all_cameras}
    for network, camera_id in one_per_network.items():
        assert uploads.grant(keys[network], UploadRequest(camera_id=camera_id)).key.startswith(
            f"snapshots/{network}/{camera_id}/"
        )
    a, b = sorted(one_per_network)[:2]
    with pytest.raises(UploadRefused):
        uploads.grant(keys[a], UploadRequest(camera_id=one_per_network[b]))
    # AND seeding again keeps the keys (idempotent)
    assert set(seed(service, SEED_CALLER, zone_files, network_files).values()) == {None}


def test_the_operator_lists_its_disagreements_masked_with_a_count_per_camera():
    # GIVEN disagreements kept for two networks
    from anpr.ingest.hooks import Disagreement

    from tests.fakes.networks import InMemoryDisagreementStore

    store = InMemoryDisagreementStore()
    service = NetworkService(
        InMemoryNetworkStore(), InMemoryCameraRegistry(), InMemoryZoneStore(), InMemoryAuditTrail(),
        lambda: NOW_MS, store,
    )  # fmt: skip
    service.load_zones(OPS, ZONES)
    service.register(OPS, network_in("city-a"))
    for i, (net, cam) in enumerate([("city-a", "C1"), ("city-a", "C1"), ("city-a", "C2"), ("city-b", "X")]):
        store.put(
            Disagreement(
                network=net,
                camera_id=cam,
                read_id=f"r{i}",
                capture_ms=NOW_MS - i * 1000,
                ours_masked="1AB***4",
                ours_confidence=0.9,
                camera_masked="1AB***4",
                snapshot_key="k",
                expires_at=0,
            )
        )
    # WHEN city-a's operator lists them
    out = service.disagreements("city-a")
    # THEN only city-a's, newest first, counted per camera; an unknown network is a 404
    assert out["count"] == 3 and out["per_camera"] == {"C1": 2, "C2": 1}
    assert [d["read_id"] for d in out["disagreements"]] == ["r0", "r1", "r2"]
    with pytest.raises(NotFound):
        service.disagreements("nowhere")
