"""The live channel on the local runtime, end to end through the real handlers: WebSocket
connections made with a person's token, an alert raised by the ingest path's alert service
reaching both officers of the zone (and not the officer of another zone), a claim through the
REST API reaching the other officer, push to the zone's registered devices in the sink, with
no plate; bad tokens refused at the handshake."""

from __future__ import annotations

import json
import time

import pytest
from anpr.alerts.settings import AlertMatchSettings
from anpr.alerts.wiring import alert_service, settings_from
from anpr.kernel import platform as spec
from anpr.reads.cameras import DynamoCameraRegistry

from local.demo_features import call_api
from local.live import timed_waits_hang
from local.runtime import LocalRuntime
from tests.builders.alerts import OTHER_ZONE, ZONE, read
from tests.helpers import camera

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-runtime")]
websockets_sync = pytest.importorskip("websockets.sync.client", reason="websockets is not installed")
if timed_waits_hang():
    pytest.skip("under libfaketime a WebSocket client's timed wait never ends (local.live.timed_waits_hang)",
                allow_module_level=True)  # fmt: skip

MANAGER = "manager.live"


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    rt = LocalRuntime(workdir=tmp_path_factory.mktemp("live"), prefix="anpr-live", concurrency=1)
    rt.start()
    try:
        DynamoCameraRegistry(rt.name("table", "Cameras"), "eu-west-1").put_many(
            [camera("BRU-001", zone=ZONE), camera("BRU-002", zone=OTHER_ZONE)]
        )
        rt.start_api()
        rt.identity.add_user("anna", "patrol", zones=ZONE)
        rt.identity.add_user("bram", "patrol", zones=ZONE)
        rt.identity.add_user("omar", "patrol", zones=OTHER_ZONE)
        rt.identity.add_user("ivan", "investigator", zones=ZONE)
        rt.identity.add_user(MANAGER, "watchlist_manager")
        rt.start_live()
        rt.run_event_sources()
        yield rt
    finally:
        rt.stop()


def _api(rt, user: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    return call_api(rt.gateway.url, rt.identity.login(user), method, path, body, timeout_s=60)


def _socket(rt, user: str):
    return websockets_sync.connect(f"{rt.live.url}/?token={rt.identity.login(user)}", open_timeout=30)


def _next(ws, timeout: float = 20.0) -> dict | None:
    try:
        return json.loads(ws.recv(timeout=timeout))
    except TimeoutError:
        return None


def test_bad_tokens_are_refused_at_the_handshake(platform):
    from websockets.exceptions import InvalidStatus

    for url, status in (
        (f"{platform.live.url}/", 401),
        (f"{platform.live.url}/?token=not-a-token", 401),
        (f"{platform.live.url}/?token={platform.identity.login('ivan')}", 403),  # not patrol
    ):
        with pytest.raises(InvalidStatus) as refused:
            websockets_sync.connect(url, open_timeout=30)
        assert refused.value.response.status_code == status


def test_both_officers_of_the_zone_get_the_alert_live_and_pushed_and_the_claim(platform):
    rt = platform
    # GIVEN a listed plate, two officers of ZONE and one of OTHER_ZONE connected, and anna's phone registered
    expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 30 * 86400))
    status, _ = _api(rt, MANAGER, "POST", "/watchlist", {
        "plate": "1LIV234", "category": "stolen_vehicle", "reason": "Stolen in Ixelles, PV-BRU-2026-00101",
        "owning_unit": "PZ Brussel", "zones": [ZONE], "expires": expires,
    })  # fmt: skip
    assert status == 201
    status, phone = _api(rt, "anna", "POST", "/devices", {"platform": "fcm", "token": "fcm-anna-phone-0001"})
    assert status == 201 and "token" not in phone
    with _socket(rt, "anna") as anna, _socket(rt, "bram") as bram, _socket(rt, "omar") as omar:
        # WHEN the plate is read in ZONE (the ingest path's alert service publishes to the topic)
        ingest = spec.function("Ingest")
        hook = alert_service(settings_from(AlertMatchSettings, rt.function_env(ingest)))
        now_ms = int(time.time() * 1000)
        [alert] = hook.on_reads([read("1LIV234", read_id="live-r1", capture_ms=now_ms - 1000, zone=ZONE)])
        # THEN both officers of the zone receive it on their socket, as a feed line
        got_anna, got_bram = _next(anna), _next(bram)
        for got in (got_anna, got_bram):
            assert got["type"] == "alert" and got["alert"]["alert_id"] == alert.alert_id
            assert got["alert"]["plate"] == "1LIV234" and got["alert"]["claimed_by"] is None
        # AND the officer of the other zone receives nothing, and gets 403 on it through REST
        assert _next(omar, timeout=2) is None
        assert _api(rt, "omar", "GET", f"/alerts/{alert.alert_id}")[0] == 403
        # AND anna's phone got a push in the sink: no plate in clear, no image
        pushes = [p for p in rt.live.pushes() if p["data"]["alert_id"] == alert.alert_id]
        assert [p["device_id"] for p in pushes] == [phone["device_id"]]
        assert "1LIV234" not in json.dumps(pushes) and pushes[0]["data"]["plate_masked"] == "1*****4"
        # WHEN anna claims it through the API
        started = time.monotonic()
        assert _api(rt, "anna", "POST", f"/alerts/{alert.alert_id}/claim")[0] == 200
        # THEN bram's screen gets the claim at once
        claimed = _next(bram)
        assert claimed["type"] == "alert.claimed" and claimed["alert"]["claimed_by"] == "anna"
        assert time.monotonic() - started < 5
        assert _next(omar, timeout=1) is None
    # WHEN the sockets close THEN the connections are forgotten
    table = rt.client("dynamodb")
    for _ in range(50):
        if table.scan(TableName=rt.name("table", "LiveConnections"))["Count"] == 0:
            break
        time.sleep(0.2)
    assert table.scan(TableName=rt.name("table", "LiveConnections"))["Count"] == 0
    # AND the device can be removed by its officer only
    assert _api(rt, "bram", "DELETE", f"/devices/{phone['device_id']}")[0] == 403
    assert _api(rt, "anna", "DELETE", f"/devices/{phone['device_id']}")[0] == 200
