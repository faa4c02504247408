"""Networks API and camera upload endpoint on moto: ops register networks, cameras and zones;
cameras get presigned POSTs for their own prefix only (anpr.networks)."""

import base64
import json

import pytest
from anpr.kernel.clock import fixed
from anpr.kernel.platform import ROOT
from anpr.networks import wiring
from anpr.networks.adapters import DynamoZoneStore

from local.resources import REGION
from tests.helpers import NOW_MS, FakeLambdaContext, api_event, claims
from tests.integration.conftest import load_handler

OLGA = claims("olga", "ops")
IVAN = claims("ivan", "investigator")
ZONES = json.loads((ROOT / "data/zones/belgium.geojson").read_text())


@pytest.fixture
def networks(aws, function_env):
    function_env("NetworksApi")
    function_env("CameraUploads")
    module = load_handler("networks_api")
    module.function.services.use(wiring.api_services(clock=fixed(NOW_MS)))
    module.uploads.use(wiring.upload_services(clock=fixed(NOW_MS)))
    return module, aws


def call(module, method, resource, path=None, who=OLGA, **kw):
    resp = module.lambda_handler(api_event(method, resource, path, claims=who, **kw), FakeLambdaContext())
    return resp["statusCode"], json.loads(resp["body"])


def upload(module, token, body):
    event = {"httpMethod": "POST", "resource": "/uploads", "path": "/uploads",
             "headers": {"Authorization": f"Network {token}"}, "body": json.dumps(body),
             "requestContext": {"requestId": "r-1"}}  # fmt: skip
    resp = module.upload_handler(event, FakeLambdaContext())
    return resp["statusCode"], json.loads(resp["body"])


def register(module, nid, zones, cameras=()):
    body = {"network_id": nid, "name": nid, "kind": "city", "contact": f"ops@{nid}.example", "zones": zones}
    status, out = call(module, "POST", "/networks", body=body)
    assert status == 201, out
    for cam in cameras:
        status, got = call(module, "POST", "/networks/{id}/cameras", f"/networks/{nid}/cameras",
                           path_params={"id": nid}, body=cam)  # fmt: skip
        assert status == 201, got
    return out["upload_key"]


def test_zones_load_from_the_national_file_and_fixed_cameras_map_by_position(networks):
    module, aws = networks
    # WHEN ops load the national zones file
    status, out = call(module, "PUT", "/zones", body=ZONES)
    # THEN every zone is stored with its boundary, and a fixed camera in Gent lands in Gent's zone
    assert status == 200 and out["zones"] >= 20
    assert len(DynamoZoneStore(aws.name("table", "PoliceZones"), REGION).list()) == out["zones"]
    register(module, "gent-lez", ["GNT-5415"])
    status, cam = call(module, "POST", "/networks/{id}/cameras", "/networks/gent-lez/cameras",
                       path_params={"id": "gent-lez"},
                       body={"camera_id": "GNT-T1", "lat": 51.0543, "lon": 3.7174, "lanes": 2})  # fmt: skip
    assert (status, cam["zone"], cam["network"]) == (201, "GNT-5415", "gent-lez")
    status, listed = call(module, "GET", "/networks/{id}/cameras", "/networks/gent-lez/cameras",
                          path_params={"id": "gent-lez"})  # fmt: skip
    assert [c["camera_id"] for c in listed["cameras"]] == ["GNT-T1"]


def test_bad_input_is_a_400_with_a_reason(networks):
    module, _ = networks
    status, out = call(module, "POST", "/networks", body={"network_id": "Bad Id!", "name": "x"})
    assert status == 400 and "network_id" in out["error"]
    status, out = call(module, "PUT", "/zones", body={"type": "FeatureCollection", "features": [{}]})
    assert status == 400 and "feature 1" in out["error"]
    status, out = call(module, "GET", "/networks/{id}", "/networks/nope", path_params={"id": "nope"})
    assert status == 404


def test_csv_import_through_the_api_reports_per_line(networks):
    module, _ = networks
    call(module, "PUT", "/zones", body=ZONES)
    register(module, "gent-lez", ["GNT-5415"])
    content = "camera_id,lat,lon,road\nGNT-1,51.05,3.72,R40\nGNT-2,51.05,,R40\n"
    status, report = call(module, "POST", "/networks/{id}/cameras/import", "/networks/gent-lez/cameras/import",
                          path_params={"id": "gent-lez"}, body={"format": "csv", "content": content})  # fmt: skip
    assert status == 200 and (report["registered"], report["rejected"]) == (1, 1)
    assert report["lines"][1]["line"] == 3 and "lon" in report["lines"][1]["reason"]


def test_a_camera_uploads_with_its_networks_key_under_its_own_prefix(networks):
    module, aws = networks
    call(module, "PUT", "/zones", body=ZONES)
    key = register(module, "gent-lez", ["GNT-5415"], [{"camera_id": "GNT-1", "lat": 51.05, "lon": 3.72}])
    # WHEN the camera asks for an upload
    status, grant = upload(module, key, {"camera_id": "GNT-1", "content_type": "image/jpeg"})
    # THEN it gets a presigned POST for one key under snapshots/gent-lez/GNT-1/, typed and bounded
    assert status == 200, grant
    assert grant["key"].startswith("snapshots/gent-lez/GNT-1/") and grant["key"].endswith(".jpg")
    policy = json.loads(base64.b64decode(grant["fields"]["policy"]))
    conditions = policy["conditions"]
    assert {"key": grant["key"]} in conditions and {"Content-Type": "image/jpeg"} in conditions
    assert ["content-length-range", 1, 5 * 1024 * 1024] in conditions
    assert {"bucket": aws.name("bucket", "Snapshots")} in conditions


def test_network_a_cannot_upload_as_network_b_and_ops_see_it(networks):
    module, aws = networks
    call(module, "PUT", "/zones", body=ZONES)
    key_a = register(module, "gent-lez", ["GNT-5415"], [{"camera_id": "GNT-1", "lat": 51.05, "lon": 3.72}])
    register(module, "antwerpen-lez", ["ANT-5345"], [{"camera_id": "ANT-1", "lat": 51.22, "lon": 4.40}])
    # WHEN Gent's key asks for Antwerp's camera
    status, out = upload(module, key_a, {"camera_id": "ANT-1"})
    # THEN 403 with a reason, and an audited refusal naming both networks
    assert status == 403 and "another network" in out["error"]
    from anpr.accountability.adapters.dynamo import DynamoAuditTrail

    trail = DynamoAuditTrail(aws.name("table", "AuditTrail"), REGION, clock=fixed(NOW_MS))
    refused = [r.event for r in trail.by_actor("network:gent-lez", 0, 2**42)]
    assert [(e.action, e.outcome, e.detail) for e in refused] == [
        ("upload.refused", "denied", {"camera_network": "antwerpen-lez"})
    ]


def test_retiring_a_network_revokes_its_key(networks):
    module, _ = networks
    call(module, "PUT", "/zones", body=ZONES)
    key = register(module, "gent-lez", ["GNT-5415"], [{"camera_id": "GNT-1", "lat": 51.05, "lon": 3.72}])
    status, out = call(
        module, "DELETE", "/networks/{id}", "/networks/gent-lez", path_params={"id": "gent-lez"}
    )
    assert status == 200 and out["status"] == "retired" and out["cameras_retired"] == 1
    assert upload(module, key, {"camera_id": "GNT-1"})[0] == 401
    assert upload(module, "", {"camera_id": "GNT-1"})[0] == 401
    assert upload(module, key, {"camera_id": "GNT 1"})[0] == 400


def test_only_ops_manage_networks(networks):
    module, _ = networks
    status, _ = call(module, "GET", "/networks", who=IVAN)
    assert status == 403


def test_the_upload_policy_names_every_capture_header_and_json_reads_get_a_json_key(networks):
    module, _ = networks
    call(module, "PUT", "/zones", body=ZONES)
    key = register(module, "gent-lez", ["GNT-5415"], [{"camera_id": "GNT-1", "lat": 51.05, "lon": 3.72}])
    # WHEN the camera asks for a camera-made read's upload
    status, grant = upload(module, key, {"camera_id": "GNT-1", "content_type": "application/json"})
    # THEN the key ends .json, and S3 will accept each capture header (it refuses unnamed fields)
    assert status == 200 and grant["key"].endswith(".json")
    conditions = json.loads(base64.b64decode(grant["fields"]["policy"]))["conditions"]
    named = {c[1] for c in conditions if isinstance(c, list) and c[0] == "starts-with"}
    assert named == {f"$x-amz-meta-{h}" for h in ("capture-ms", "lat", "lon", "heading", "lane", "direction",
                                                    "camera-plate", "camera-plate-confidence",
                                                    "camera-plate-country")}  # fmt: skip
    assert {"x-amz-meta-camera-id": "GNT-1"} in conditions


def test_ops_list_a_networks_disagreements_masked_and_others_cannot(networks):
    module, aws = networks
    call(module, "PUT", "/zones", body=ZONES)
    register(module, "gent-lez", ["GNT-5415"], [{"camera_id": "GNT-1", "lat": 51.05, "lon": 3.72}])
    from anpr.ingest.hooks import Disagreement
    from anpr.networks.ingest_ops import DynamoDisagreementStore

    # GIVEN ingest kept one disagreement for gent-lez (plates masked)
    DynamoDisagreementStore(aws.name("table", "CameraDisagreements"), REGION).put(
        Disagreement(
            network="gent-lez",
            camera_id="GNT-1",
            read_id="r1",
            capture_ms=NOW_MS - 60_000,
            ours_masked="1AB***4",
            ours_confidence=0.9,
            camera_masked="1AB***5",
            camera_confidence=0.7,
            snapshot_key="snapshots/gent-lez/GNT-1/x.json",
            expires_at=NOW_MS // 1000 + 86_400,
        )
    )
    path = "/networks/gent-lez/disagreements"
    # WHEN ops list them THEN they get it with a count per camera
    status, out = call(module, "GET", "/networks/{id}/disagreements", path, path_params={"id": "gent-lez"})
    assert status == 200 and out["count"] == 1 and out["per_camera"] == {"GNT-1": 1}
    assert out["disagreements"][0]["camera_masked"] == "1AB***5"
    # AND an investigator is refused, an unknown network is a 404
    assert (
        call(module, "GET", "/networks/{id}/disagreements", path, who=IVAN, path_params={"id": "gent-lez"})[0]
        == 403
    )
    assert call(module, "GET", "/networks/{id}/disagreements", "/networks/x-1/disagreements",
                path_params={"id": "x-1"})[0] == 404  # fmt: skip


def test_ops_see_each_cameras_health_and_the_alarms_it_raises(networks):
    from anpr.ingest.quarantine import S3QuarantineStore
    from anpr.networks.activity import DynamoActivityStore
    from anpr.reads.models import QuarantineReason, SnapshotRef

    module, aws = networks
    call(module, "PUT", "/zones", body=ZONES)
    key_a = register(module, "gent-lez", ["GNT-5415"], [{"camera_id": "GNT-1", "lat": 51.05, "lon": 3.72},
                     {"camera_id": "GNT-2", "lat": 51.05, "lon": 3.72}, {"camera_id": "GNT-3", "lat": 51.05, "lon": 3.72}])  # fmt: skip
    # GIVEN GNT-1 sent every hour for four weeks but nothing in the last three hours, GNT-2 sent
    # five minutes ago and had two snapshots quarantined today (one yesterday, outside 24 h),
    # GNT-3 never sent, and Gent's key asked for a camera it does not have
    activity = DynamoActivityStore(aws.name("table", "CameraActivity"), REGION, every_ms=1)
    hour = 3_600_000
    for k in range(28 * 24 - 1, 2, -1):  # oldest first, as they arrive
        activity.record("GNT-1", "gent-lez", NOW_MS - k * hour)
    activity.record("GNT-2", "gent-lez", NOW_MS - 300_000)
    quarantine = S3QuarantineStore(aws.name("bucket", "Quarantine"), fixed(NOW_MS))
    for ms, reason in [(NOW_MS - hour, "too_large"), (NOW_MS - 2 * hour, "corrupt_image"), (NOW_MS - 30 * hour, "too_large")]:  # fmt: skip
        ref = SnapshotRef(bucket="b", key=f"snapshots/gent-lez/GNT-2/2026/11/18/10/{ms}_x.jpg", size=9)
        quarantine.quarantine(ref, QuarantineReason(reason), "bad", keep_object=False)
    assert upload(module, key_a, {"camera_id": "GNT-9"})[0] == 403
    # WHEN ops ask for the cameras' health
    status, out = call(module, "GET", "/cameras/health")
    # THEN each camera has its state, GNT-2 its quarantined snapshots by reason in 24 h, Gent its
    # refusals, and the silent camera and the refusals are alarms; no plate anywhere
    assert status == 200, out
    cams = {c["camera_id"]: c for c in out["cameras"]}
    assert {k: c["health"] for k, c in cams.items()} == {
        "GNT-1": "silent",
        "GNT-2": "quarantining",
        "GNT-3": "never",
    }
    assert cams["GNT-1"]["silent_minutes"] == 180 and cams["GNT-2"]["last_seen_ms"] == NOW_MS - 300_000
    assert cams["GNT-2"]["quarantined"] == {"too_large": 1, "corrupt_image": 1}
    [gent] = out["networks"]
    assert (gent["cameras"], gent["silent"], gent["quarantined"]) == (3, 1, 2)
    assert gent["refused_uploads"] == {"unknown_camera": 1}
    assert sorted(a["kind"] for a in out["alarms"]) == ["refused_uploads", "silent"]
    # and an investigator may not look
    assert call(module, "GET", "/cameras/health", who=IVAN)[0] == 403
