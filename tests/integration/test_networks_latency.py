"""Per-camera upload→read latency on moto: ingest's activity store adds to the camera's item,
containers' counts add up, an hour slot is started afresh, the health route reads it."""

import json

import pytest
from anpr.ingest.hooks import UploadLatency
from anpr.kernel.clock import fixed
from anpr.networks import latency, wiring
from anpr.networks.activity import DynamoActivityStore

from local.resources import REGION
from tests.helpers import NOW_MS, FakeLambdaContext, api_event, claims
from tests.integration.conftest import load_handler

OLGA = claims("olga", "ops")
HOUR = latency.HOUR_MS


@pytest.fixture
def table(aws):
    return aws.name("table", "CameraActivity")


def item(aws, camera_id):
    import boto3

    raw = boto3.client("dynamodb", region_name=REGION).get_item(
        TableName=aws.name("table", "CameraActivity"), Key={"camera_id": {"S": camera_id}}
    )["Item"]
    return {k: int(v["N"]) for k, v in raw.items() if "N" in v}


def test_two_containers_latencies_add_up_on_the_cameras_item(aws, table):
    # GIVEN two ingest containers that each write at once (every_ms=1)
    a, b = (DynamoActivityStore(table, REGION, every_ms=1) for _ in range(2))
    # WHEN they store reads of one camera with 400 ms, 400 ms and 7 s upload→read
    a.record("CAM-1", "net-a", NOW_MS - 5_000, UploadLatency(400, NOW_MS - 3_000))
    b.record("CAM-1", "net-a", NOW_MS - 4_000, UploadLatency(400, NOW_MS - 2_000))
    a.record("CAM-1", "net-a", NOW_MS - 9_000, UploadLatency(7_000, NOW_MS - 1_000))
    # THEN the camera's item holds this hour's histogram: two ≤ 500 ms, one ≤ 10 s
    got = latency.recent(item(aws, "CAM-1"), NOW_MS)
    assert got[latency.bucket_of(400)] == 2 and got[latency.bucket_of(7_000)] == 1 and sum(got) == 3
    # AND the profile the health route reads carries it
    [profile] = list(a.profiles(NOW_MS))
    assert profile.latency == got and profile.last_seen_ms == NOW_MS - 4_000


def test_a_new_hour_starts_its_slot_afresh_and_a_late_old_hour_is_dropped(aws, table):
    store = DynamoActivityStore(table, REGION, every_ms=1)
    hour0 = (NOW_MS // HOUR) * HOUR
    # GIVEN a slow read two hours ago (the same slot as this hour: two slots are kept)
    store.record("CAM-2", "", hour0 - 2 * HOUR, UploadLatency(60_000, hour0 - 2 * HOUR + 10))
    # WHEN a fast read is stored this hour
    store.record("CAM-2", "", hour0 + 5, UploadLatency(300, hour0 + 10))
    # THEN the slot holds this hour only: the old slow count is gone
    stored = item(aws, "CAM-2")
    assert sum(latency.recent(stored, hour0 + 20)) == 1
    assert latency.summary(latency.recent(stored, hour0 + 20))["p95_ms"] == 500
    # WHEN a container that was behind writes the hour two hours ago THEN it is dropped, not mixed in
    DynamoActivityStore(table, REGION, every_ms=1).record(
        "CAM-2", "", hour0 - 2 * HOUR, UploadLatency(90_000, hour0 - 2 * HOUR + 99)
    )
    assert latency.recent(item(aws, "CAM-2"), hour0 + 20) == latency.recent(stored, hour0 + 20)


def test_a_container_writes_a_camera_at_most_once_per_slot_and_keeps_the_rest_for_its_next_write(aws, table):
    store = DynamoActivityStore(table, REGION, every_ms=600_000)
    start = (NOW_MS // 600_000) * 600_000
    # GIVEN three reads in one 10-minute slot: only the first is written at once
    for k in range(3):
        store.record("CAM-3", "", start + k, UploadLatency(200, start + k * 1_000))
    assert sum(latency.recent(item(aws, "CAM-3"), start + 5_000)) == 1
    # WHEN a read of the next slot comes THEN the two held back are written with it
    store.record("CAM-3", "", start + 600_000, UploadLatency(200, start + 600_000))
    assert sum(latency.recent(item(aws, "CAM-3"), start + 600_000)) == 4


def test_the_health_route_returns_each_cameras_latency(aws, function_env):
    # GIVEN a registered network camera whose reads took 300 ms to 1.5 s
    function_env("NetworksApi")
    module = load_handler("networks_api")
    module.function.services.use(wiring.api_services(clock=fixed(NOW_MS)))

    def call(method, resource, path=None, **kw):
        resp = module.lambda_handler(
            api_event(method, resource, path, claims=OLGA, **kw), FakeLambdaContext()
        )
        return resp["statusCode"], json.loads(resp["body"])

    from anpr.kernel.platform import ROOT

    assert call("PUT", "/zones", body=json.loads((ROOT / "data/zones/belgium.geojson").read_text()))[0] == 200
    body = {"network_id": "gent-lez", "name": "Gent", "kind": "city", "contact": "ops@gent.example",
            "zones": ["GNT-5415"]}  # fmt: skip
    assert call("POST", "/networks", body=body)[0] == 201
    status, _ = call("POST", "/networks/{id}/cameras", "/networks/gent-lez/cameras", path_params={"id": "gent-lez"},
                     body={"camera_id": "GNT-1", "lat": 51.05, "lon": 3.72})  # fmt: skip
    assert status == 201
    store = DynamoActivityStore(aws.name("table", "CameraActivity"), REGION, every_ms=1)
    for i, ms in enumerate([300, 300, 400, 900, 1_500]):
        store.record("GNT-1", "gent-lez", NOW_MS - 60_000 + i, UploadLatency(ms, NOW_MS - 50_000 + i))
    # WHEN ops ask for the cameras' health
    status, out = call("GET", "/cameras/health")
    # THEN the camera and its network carry p50/p95 within the 2 s goal
    assert status == 200, out
    [cam] = out["cameras"]
    assert cam["latency"] == {"n": 5, "p50_ms": 500, "p95_ms": 2_000, "state": "ok"}
    assert out["networks"][0]["latency"] == cam["latency"] and out["latency_goal"]["p95_ms"] == 2_000
