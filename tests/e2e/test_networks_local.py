"""Cameras of networks on the local runtime: per-network keys issued by the runtime, uploads
through POST /uploads and the presigned POST, a camera of network A refused as network B (at
/uploads, and by ingest when a key is forced under B's prefix), camera-made reads (issue 12)."""

import base64
import io
import json
import random
import time

import pytest
from anpr.networks.ingest_ops import DynamoDisagreementStore
from anpr.ocr.camera_read import CAMERA_READ_FORMAT
from anpr.ocr.render import render_snapshot
from anpr.reads.cameras import DynamoCameraRegistry
from anpr.reads.models import CaptureMetadata
from anpr.reads.repository import DynamoPlateReadRepository

from local.runtime import LocalRuntime
from local.simulator import Simulator, SimulatorConfig
from local.simulator.network_uploads import NetworkUploader, UploadRefused, force_under, http_grants
from tests.builders.networks import square_zone

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-runtime")]
REGION = "eu-west-1"


def _network(nid: str, zone: str, cameras: list[tuple[str, float, float, str]]) -> dict:
    """Cameras on one eastbound road (the simulator drives vehicles past them)."""
    return {
        "network": {"network_id": nid, "name": nid, "kind": "city", "contact": f"ops@{nid}.example",
                    "zones": [zone]},
        "cameras": [{"camera_id": c, "kind": kind, "lat": lat, "lon": lon, "heading": 90.0, "road": "N4"}
                    for c, lat, lon, kind in cameras],
    }  # fmt: skip


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("networks")
    zones = tmp / "zones.geojson"
    zones.write_text(json.dumps({"type": "FeatureCollection", "features": [
        square_zone("ZONE-A", 4.0, 50.0), square_zone("ZONE-B", 5.0, 50.0)]}))  # fmt: skip
    files = []
    for nid, zone, cams in [
        ("net-a", "ZONE-A", [("A-001", 50.5, 4.98, "fixed"), ("A-002", 50.5, 4.995, "fixed")]),
        (
            "net-b",
            "ZONE-B",
            [("B-001", 50.5, 5.01, "fixed"), ("B-002", 50.5, 5.025, "fixed"), ("B-V01", 50.5, 5.5, "mobile")],
        ),
    ]:
        files.append(tmp / f"{nid}.json")
        files[-1].write_text(json.dumps(_network(nid, zone, cams)))
    rt = LocalRuntime(workdir=tmp / "rt", retry_delay_s=1)
    rt.start()
    keys = rt.issue_network_keys([zones], files)
    rt.warm_up("Ingest", "CameraUploads")
    rt.run_event_sources()
    uploader = NetworkUploader(
        http_grants(rt.start_api().url),  # the local API Gateway's POST /uploads (no Cognito user)
        keys,
        {"A-001": "net-a", "A-002": "net-a", "B-001": "net-b", "B-002": "net-b", "B-V01": "net-b"},
    )
    yield rt, keys, uploader
    rt.stop()


def _jpeg(plate: str, seed: int) -> bytes:
    image, _ = render_snapshot(plate, "BE", random.Random(seed))
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def _meta(camera_id: str, **kw) -> dict[str, str]:
    return CaptureMetadata(
        camera_id=camera_id, capture_ms=int(time.time() * 1000) - 1000, **kw
    ).to_s3_metadata()


def _audit(rt, action: str) -> list[dict]:
    items = rt.client("dynamodb").scan(TableName=rt.name("table", "AuditTrail"))["Items"]
    bodies = [json.loads(i["body"]["S"]) for i in items if "body" in i]
    return [b for b in bodies if b.get("action") == action]


def _quarantined(rt) -> list[str]:
    objs = rt.client("s3").list_objects_v2(Bucket=rt.name("bucket", "Quarantine")).get("Contents", [])
    return sorted(o["Key"] for o in objs if o["Key"].endswith(".reason.json"))


def test_each_network_gets_a_key_and_its_cameras_upload_with_it(world):
    rt, keys, uploader = world
    # GIVEN the runtime issued one key per network
    assert sorted(keys) == ["net-a", "net-b"] and all(k.startswith("anpr_") for k in keys.values())
    # WHEN a camera of net-a uploads through /uploads with net-a's key
    key = uploader.upload("A-001", _jpeg("1XYZ987", 1), _meta("A-001", lane=2, direction="in"))
    assert rt.wait_idle(timeout_s=60)
    # THEN the file is under net-a's prefix and became a read
    assert key.startswith("snapshots/net-a/A-001/")
    reads = DynamoPlateReadRepository(rt.name("table", "Reads"), REGION)
    now = int(time.time() * 1000)
    (read,) = list(reads.by_camera("A-001", now - 120_000, now))
    # (the capture headers travel through the presigned form: the read has them)
    assert read.snapshot_key == key and (read.lane, read.direction) == (2, "in")


def test_a_camera_of_network_a_cannot_upload_as_network_b_and_both_refusals_are_reported(world):
    rt, _, uploader = world
    body, meta = _jpeg("1XYZ988", 2), _meta("A-001")
    # WHEN A's camera asks /uploads with B's key
    with pytest.raises(UploadRefused) as refused:
        uploader.upload("A-001", body, meta, as_network="net-b")
    # THEN it is refused (403) and audited as net-b's refused upload
    assert refused.value.status == 403 and "another network" in refused.value.message
    # WHEN a file of A's camera is forced under B's prefix with plain S3 access
    forced = force_under(
        rt.client("s3"), rt.name("bucket", "Snapshots"), "net-b",
        f"snapshots/net-a/A-001/2026/11/30/10/{int(time.time() * 1000)}_forced.jpg", body, meta,
    )  # fmt: skip
    assert rt.wait_idle(timeout_s=60)
    # THEN ingest quarantines it wrong_network, and audits it too
    assert f"wrong_network/{forced}.reason.json" in _quarantined(rt)
    refusals = _audit(rt, "upload.refused")
    assert sorted(r["reason"] for r in refusals) == ["camera_of_another_network", "wrong_network"]
    assert {r["actor_id"] for r in refusals} == {"network:net-b"}


def test_a_camera_made_read_is_stored_beside_our_ocr_and_a_disagreement_flagged(world):
    rt, _, uploader = world
    # GIVEN a mobile camera of net-b that read 1XYZ900 on a snapshot of 1XYZ989, inside ZONE-B
    doc = {
        "format": CAMERA_READ_FORMAT, "camera_id": "B-V01", "capture_ms": int(time.time() * 1000) - 1000,
        "plate": "1XYZ900", "confidence": 0.8, "country": "BE", "lat": 50.2, "lon": 5.2,
        "overview_image": base64.b64encode(_jpeg("1XYZ989", 3)).decode(),
    }  # fmt: skip
    # WHEN it uploads the JSON read through /uploads
    key = uploader.upload("B-V01", json.dumps(doc).encode(), {"capture-ms": str(doc["capture_ms"])},
                          content_type="application/json")  # fmt: skip
    assert key.endswith(".json") and rt.wait_idle(timeout_s=60)
    # THEN a read is stored with the camera's reading beside ours, in the zone at its GPS
    reads = DynamoPlateReadRepository(rt.name("table", "Reads"), REGION)
    now = int(time.time() * 1000)
    # (the snapshot's scene may hold other text our OCR reads too: the camera's reading sits on
    # our most confident read)
    (read,) = [r for r in reads.by_camera("B-V01", now - 120_000, now) if r.camera_plate]
    assert read.camera_plate == "1XYZ900" and read.agree is False and read.zone == "ZONE-B"
    assert "1XYZ900" in (read.plate, *read.alternatives)
    # AND the disagreement is listed for net-b's operator
    store = DynamoDisagreementStore(rt.name("table", "CameraDisagreements"), REGION)
    (flagged,) = store.list("net-b", now - 120_000)
    assert flagged.read_id == read.read_id and flagged.camera_masked != "1XYZ900"
    assert store.list("net-a", now - 120_000) == []


def test_the_simulator_uploads_each_networks_cameras_with_their_own_key(world):
    rt, _, uploader = world
    # GIVEN the simulator over both networks' fixed cameras, uploading through /uploads
    cameras = [
        c for c in DynamoCameraRegistry(rt.name("table", "Cameras"), REGION).list() if c.kind == "fixed"
    ]
    sim = Simulator(
        rt.client("s3"), rt.name("bucket", "Snapshots"), cameras, seed=3, rate_per_s=None,
        config=SimulatorConfig(bad_fraction=0.2, bad_kinds=("wrong_network",), window_s=600), progress=None,
        uploader=uploader,
    )  # fmt: skip
    before = set(_quarantined(rt))
    # WHEN it runs
    truth = sim.run(10)
    assert rt.wait_idle(timeout_s=90)
    # THEN every good snapshot went under its camera's own network prefix (the granted key) ...
    assert truth.stats["failed"] == 0 and len(truth.sightings) == 8
    for s in truth.sightings:
        assert s.key.startswith(f"snapshots/net-{s.camera_id[0].lower()}/{s.camera_id}/") and s.uploaded
    # ... and each forced upload was quarantined wrong_network
    new = set(_quarantined(rt)) - before
    assert sorted(f"wrong_network/{b.key}.reason.json" for b in truth.bad_inputs) == sorted(new)
