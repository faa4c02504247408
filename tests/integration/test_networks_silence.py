"""The silent-camera watch on moto: activity recorded as ingest will, the scheduled handler alerts once."""

import boto3
from anpr.kernel.clock import fixed
from anpr.networks import wiring
from anpr.networks.activity import DynamoActivityStore
from anpr.networks.silence import HOUR_MS, hour_of_week

from local.resources import REGION
from tests.helpers import NOW_MS, FakeLambdaContext
from tests.integration.conftest import load_handler

DAY = 24 * HOUR_MS


def daytime(now_ms: int, until_ms: int, step_ms: int = 30 * 60_000) -> list[int]:
    t, out = now_ms - 4 * 7 * DAY, []
    while t <= until_ms:
        if 7 <= hour_of_week(t) % 24 < 20:
            out.append(t)
        t += step_ms
    return out


def afternoon() -> int:
    t = NOW_MS
    while hour_of_week(t) % 24 != 15:
        t += HOUR_MS
    return t - t % HOUR_MS + 30 * 60_000


def test_a_camera_silent_in_its_usual_hours_is_reported_once(aws, function_env):
    # GIVEN two cameras that send all day, one of which stopped three hours ago
    function_env("SilenceWatch")
    now = afternoon()
    store = DynamoActivityStore(aws.name("table", "CameraActivity"), REGION, every_ms=30 * 60_000,
                                client=boto3.client("dynamodb", region_name=REGION))  # fmt: skip
    for t in daytime(now, now - 3 * HOUR_MS):
        store.record("A-1", "city-a", t)
    for t in daytime(now, now):
        store.record("B-1", "city-b", t)
    store.record("B-1", "city-b", now - 5 * HOUR_MS)  # a late capture does not move last_seen back
    module = load_handler("networks_api")
    module.silence.use(wiring.silence_services(clock=fixed(now)))
    # WHEN the scheduled watch runs twice
    first = module.silence_handler({"job": "watch"}, FakeLambdaContext())
    second = module.silence_handler({"job": "watch"}, FakeLambdaContext())
    # THEN A-1 is alerted once, B-1 never
    assert (first["silent"], first["new"], second["new"]) == (1, ["A-1"], [])
    assert first["alerts"][0]["network"] == "city-a" and first["alerts"][0]["silent_minutes"] >= 60
    # AND the daily report lists it under its network
    report = module.silence_handler({"job": "report"}, FakeLambdaContext())
    by_network = {r["network"]: r for r in report["networks"]}
    assert [c["camera_id"] for c in by_network["city-a"]["silent"]] == ["A-1"]
    assert by_network["city-b"]["silent"] == []


def test_no_activity_yet_is_no_alert(aws, function_env):
    # GIVEN a fresh stack (the local demo before any camera sent) WHEN the watch runs THEN nothing
    function_env("SilenceWatch")
    module = load_handler("networks_api")
    module.silence.use(wiring.silence_services(clock=fixed(NOW_MS)))
    assert module.silence_handler({"job": "watch"}, FakeLambdaContext()) == {
        "job": "watch",
        "silent": 0,
        "new": [],
        "alerts": [],
    }
    assert module.silence_handler({"job": "report"}, FakeLambdaContext()) == {"job": "report", "networks": []}
