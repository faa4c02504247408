"""The alerts REST API on moto: watchlist CRUD and CSV import (watchlist_manager), the patrol
feed, view and acknowledgement (patrol), role enforcement, the re-sender, and a watchlist change
reaching a running matcher within 60 s (DynamoDB version stamp, controllable clock)."""

import json
import os

import pytest
from anpr.alerts.matcher import WatchlistCache
from anpr.alerts.settings import AlertMatchSettings
from anpr.alerts.spec import DISPATCH_QUEUE
from anpr.alerts.watchlist import DynamoWatchlistRepository
from anpr.alerts.wiring import alert_service, api_services, resender_services, settings_from
from anpr.kernel.clock import ManualClock, fixed

from local.resources import REGION
from tests.builders.alerts import read
from tests.helpers import NOW_MS, FakeLambdaContext, api_event, claims, sqs_event
from tests.integration.conftest import load_handler
from tests.integration.test_alerts_ingest import (  # noqa: F401
    OTHER,
    ZONE,
    alerts_in_table,
    deliveries,
    ingest,
    snapshot_bodies,
)

MANAGER = claims("mia", "watchlist_manager")
OFFICER = claims("olivia", "patrol", zones=ZONE, unit="PZ-5339-INT")
#: an officer of another Brussels zone (tests.integration.test_alerts_ingest.OTHER)
FOREIGN = claims("omar", "patrol", zones="BXL-5342")
EXPIRES = "2027-06-30T00:00:00Z"


@pytest.fixture
def api(aws, rest_function):
    return rest_function("AlertsApi", "alerts_api", api_services)


def call(api, method, resource, path=None, *, who=MANAGER, body=None, query=None, params=None, headers=None):
    event = api_event(method, resource, path, claims=who, body=body, query=query, path_params=params)
    if headers:
        event["headers"].update(headers)
    r = api.lambda_handler(event, FakeLambdaContext())
    return r["statusCode"], json.loads(r["body"]) if r.get("body") else None


def entry_body(**kw):
    return {
        "plate": "1-ABC-234",
        "category": "stolen_vehicle",
        "reason": "stolen in Ixelles",
        "owning_unit": "PZ 5342",
        "handling_instructions": "request backup",
        "expires": EXPIRES,
        "valid_from": "2026-11-01T00:00:00Z",
        **kw,
    }


def test_manager_manages_entries_and_patrol_may_not(aws, api):
    # WHEN a manager creates, reads, updates, lists and deletes an entry
    status, created = call(api, "POST", "/watchlist", body=entry_body())
    assert status == 201 and created["plate"] == "1ABC234" and created["created_by"] == "sub-mia"
    eid = created["entry_id"]
    path = f"/watchlist/{eid}"
    assert call(api, "GET", "/watchlist/{entry_id}", path, params={"entry_id": eid})[1]["entry_id"] == eid
    status, updated = call(
        api, "PUT", "/watchlist/{entry_id}", path, params={"entry_id": eid}, body=entry_body(priority="low")
    )
    assert status == 200 and updated["priority"] == "low"
    assert [e["entry_id"] for e in call(api, "GET", "/watchlist")[1]["entries"]] == [eid]
    assert call(api, "DELETE", "/watchlist/{entry_id}", path, params={"entry_id": eid})[0] == 200
    assert call(api, "GET", "/watchlist/{entry_id}", path, params={"entry_id": eid})[0] == 404
    # THEN a patrol officer may neither list nor create; a bad body is a 400
    assert call(api, "GET", "/watchlist", who=OFFICER)[0] == 403
    assert call(api, "POST", "/watchlist", who=OFFICER, body=entry_body())[0] == 403
    assert call(api, "POST", "/watchlist", body=entry_body(expires=None))[0] == 400
    assert call(api, "GET", "/watchlist", who=None)[0] == 401
    # AND the audit trail (accountability's store) holds each change with before/after
    trail = api.function.services().audit
    changes = [r.event for r in trail.by_plate("1ABC234") if r.event.action.startswith("watchlist.")]
    actions = [e.action for e in changes]
    assert {"watchlist.created", "watchlist.updated", "watchlist.deleted"} <= set(actions)
    updated = next(e for e in changes if e.action == "watchlist.updated")
    assert updated.actor_id == "sub-mia"
    assert updated.detail["before"]["priority"] == "high" and updated.detail["after"]["priority"] == "low"


def test_csv_import_reports_per_line(aws, api):
    csv_text = (
        "plate,country,category,priority,reason,owning_unit,handling_instructions,valid_from,expires,zones\n"
        f"1ABC234,BE,stolen_vehicle,high,stolen car,PZ,backup,,{EXPIRES},BXL-5339\n"
        f"2XYZ999,,bogus,high,whatever,PZ,,,{EXPIRES},\n"
    )
    status, report = call(
        api, "POST", "/watchlist/import", body=csv_text, headers={"Content-Type": "text/csv"}
    )
    assert status == 200 and report["created"] == 1 and report["errors"] == 1
    assert report["lines"][1]["line"] == 3 and "category" in report["lines"][1]["errors"][0]
    status, report = call(
        api, "POST", "/watchlist/import", body={"csv": csv_text.replace("1ABC234", "3DEF456")}
    )
    assert report["created"] == 1


def test_patrol_feed_view_and_acknowledge(aws, api, ingest):  # noqa: F811
    # GIVEN a listed plate seen once in zone BXL-5339 (real ingest path)
    assert call(api, "POST", "/watchlist", body=entry_body(zones=[ZONE]))[0] == 201
    bodies = snapshot_bodies(aws, ("BXL-A", "1ABC234", NOW_MS - 1000))
    ingest.lambda_handler(sqs_event(bodies), FakeLambdaContext())
    [msg] = deliveries(aws)[DISPATCH_QUEUE]
    aid = msg["alert_id"]
    # WHEN the officer opens the zone feed and the alert
    status, feed = call(api, "GET", "/alerts", who=OFFICER, query={"zone": ZONE})
    assert status == 200 and [a["alert_id"] for a in feed["alerts"]] == [aid]
    status, alert = call(
        api, "GET", "/alerts/{alert_id}", f"/alerts/{aid}", who=OFFICER, params={"alert_id": aid}
    )
    assert status == 200 and alert["plate"] == "1ABC234" and "Signature" in alert["crop_url"]

    # AND acknowledges it with an outcome
    def acknowledge(body):
        return call(
            api,
            "POST",
            "/alerts/{alert_id}/acknowledge",
            f"/alerts/{aid}/acknowledge",
            who=OFFICER,
            params={"alert_id": aid},
            body=body,
        )

    status, acked = acknowledge({"outcome": "stopped", "comment": "driver arrested"})
    # THEN it leaves the open feed, and a second acknowledgement is a conflict
    assert (
        status == 200
        and acked["status"] == "acknowledged"
        and acked["acknowledgement"]["by_id"] == "sub-olivia"
    )
    assert call(api, "GET", "/alerts", who=OFFICER, query={"zone": ZONE})[1]["alerts"] == []
    assert acknowledge({"outcome": "stopped"})[0] == 409
    assert acknowledge({"outcome": "maybe"})[0] == 400
    # AND a watchlist manager may not acknowledge
    assert call(api, "GET", "/alerts", who=MANAGER, query={"zone": ZONE})[0] == 403


def test_resender_republishes_open_high_priority_alerts(aws, api, function_env):
    # GIVEN a high-priority alert raised by our OCR's read (a camera's read alone is never high)
    call(api, "POST", "/watchlist", body=entry_body())
    function_env("Ingest")
    hook = alert_service(settings_from(AlertMatchSettings, os.environ), clock=fixed(NOW_MS))
    [alert] = hook.on_reads([read("1ABC234", read_id="r-ocr", zone=ZONE, source="ocr")])
    assert alert.priority == "high"
    assert len(deliveries(aws)[DISPATCH_QUEUE]) == 1
    function_env("AlertResender")
    resender = load_handler("alert_resender")
    clock = ManualClock(NOW_MS)
    resender.services.use(resender_services(clock=clock))
    # nothing due yet
    assert resender.lambda_handler({}, FakeLambdaContext())["sent"] == 0
    # WHEN N minutes have passed (the service's clock moved)
    clock.advance(minutes=6)
    assert resender.lambda_handler({}, FakeLambdaContext())["sent"] == 1
    [again] = deliveries(aws)[DISPATCH_QUEUE]
    assert again["send"] == 2 and again["plate"] == "1ABC234"


def test_watchlist_change_reaches_a_running_matcher_within_60_s(aws, api):
    # GIVEN a running container's cache, loaded before the change
    clock = ManualClock(NOW_MS)
    cache = WatchlistCache(DynamoWatchlistRepository(aws.name("table", "Watchlist"), REGION), clock, 30)
    assert len(cache.index()) == 0
    # WHEN a manager adds an entry through the API
    assert call(api, "POST", "/watchlist", body=entry_body())[0] == 201
    # THEN the old state holds until the refresh, the new one at most 60 s later
    clock.advance(seconds=29)
    assert len(cache.index()) == 0
    clock.advance(seconds=31)
    assert len(cache.index()) == 1


def _raise_in_zone(aws, api, ingest):  # noqa: F811
    """A plate listed for ZONE only, read once in ZONE (real ingest path); its alert id."""
    assert call(api, "POST", "/watchlist", body=entry_body(zones=[ZONE]))[0] == 201
    bodies = snapshot_bodies(aws, ("BXL-A", "1ABC234", NOW_MS - 1000))
    ingest.lambda_handler(sqs_event(bodies), FakeLambdaContext())
    [msg] = deliveries(aws)[DISPATCH_QUEUE]
    return msg["alert_id"]


def test_patrol_is_scoped_to_its_zones_and_refusals_are_audited(aws, api, ingest):  # noqa: F811
    # GIVEN an alert seen in ZONE
    aid = _raise_in_zone(aws, api, ingest)
    path, params = f"/alerts/{aid}", {"alert_id": aid}
    # WHEN an officer of another zone asks for ZONE's feed, opens the alert or acknowledges it
    status, body = call(api, "GET", "/alerts", who=FOREIGN, query={"zone": ZONE})
    assert status == 403 and "not one of your zones" in body["error"]
    assert call(api, "GET", "/alerts", who=FOREIGN, query={"zone": OTHER})[1]["alerts"] == []
    status, body = call(api, "GET", "/alerts/{alert_id}", path, who=FOREIGN, params=params)
    assert status == 403 and "crop_url" not in body
    ack = {"outcome": "not_found"}
    assert (
        call(
            api,
            "POST",
            "/alerts/{alert_id}/acknowledge",
            f"{path}/acknowledge",
            who=FOREIGN,
            params=params,
            body=ack,
        )[0]
        == 403
    )
    # THEN the alert stays open (its re-sends go on) and each refusal is audited with the plate
    assert [a["status"] for a in alerts_in_table(aws)] == ["open"]
    trail = api.function.services().audit
    denied = [r.event for r in trail.by_plate("1ABC234") if r.event.action == "access.denied"]
    assert len(denied) == 2 and {e.actor_id for e in denied} == {"sub-omar"}
    # AND a national-scope dispatcher may open it; an unknown zone is a 400 with the reason;
    # a token without a zone is refused
    dispatch = claims("dana", "patrol", zones="national")
    assert call(api, "GET", "/alerts/{alert_id}", path, who=dispatch, params=params)[0] == 200
    status, body = call(api, "GET", "/alerts", who=OFFICER, query={"zone": "BXL-9999"})
    assert status == 400 and "unknown zone 'BXL-9999'" in body["error"]
    status, body = call(api, "GET", "/alerts", who=claims("nina", "patrol"), query={"zone": ZONE})
    assert status == 403 and "no police zone" in body["error"]


def test_polling_the_feed_audits_each_alert_shown_once(aws, api, ingest):  # noqa: F811
    # GIVEN an alert in the officer's zone
    aid = _raise_in_zone(aws, api, ingest)
    # WHEN the officer's client polls the feed ten times
    for _ in range(10):
        status, feed = call(api, "GET", "/alerts", who=OFFICER, query={"zone": ZONE})
        assert status == 200 and [a["alert_id"] for a in feed["alerts"]] == [aid]
    # THEN the audit trail says once that this officer was shown this plate's alert
    trail = api.function.services().audit
    shown = [r.event for r in trail.by_plate("1ABC234") if r.event.action == "alert.shown"]
    assert [(e.actor_id, e.resource) for e in shown] == [("sub-olivia", f"alert/{aid}")]
    assert not [r for r in trail.by_plate("1ABC234") if r.event.action == "alert.listed"]


def test_feed_limits_and_zones_are_validated_with_a_reason(aws, api, ingest):  # noqa: F811
    # GIVEN an officer of ZONE (cameras registered in ZONE and OTHER)
    for limit in ("-1", "0", "1000000000", "ten"):
        # WHEN the feed is asked for a hostile limit THEN 400 with the field, never a 5xx or a short list
        status, body = call(api, "GET", "/alerts", who=OFFICER, query={"zone": ZONE, "limit": limit})
        assert status == 400 and "limit" in body["error"], (limit, body)
    # AND a zone no camera is registered in is a 400, not an empty 200
    for zone in ("BXL-9999", "bxl-5339", "\u200bBXL-5339"):
        status, body = call(api, "GET", "/alerts", who=OFFICER, query={"zone": zone})
        assert status == 400 and "unknown zone" in body["error"], (zone, body)
