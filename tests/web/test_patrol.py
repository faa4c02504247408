"""The patrol app in a real (mobile-sized) browser: my zone's alerts, the alert card, acknowledge,
and an acknowledgement made offline kept pending and sent once back online."""

from __future__ import annotations

import json
import time

import pytest
from anpr.alerts.settings import AlertMatchSettings
from anpr.alerts.wiring import alert_service, settings_from
from anpr.kernel import platform as spec
from anpr.reads.cameras import load_seed

from local.live import camera_upload
from local.simulator import DEFAULT_CAMERAS
from tests.web.conftest import LISTED, OTHER_OFFICER, OTHER_ZONE, SECOND_OFFICER, ZONE, _read

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-runtime")]


def _open_feed(p):
    p.open("/patrol/")
    p.login("officer.dubois")
    p.page.wait_for_selector("#zone")
    p.page.select_option("#zone", ZONE)
    p.page.wait_for_selector("#feed li")


def _ack_status(platform, plate: str) -> str | None:
    _, body = platform.api("officer.dubois", "GET", f"/alerts?zone={ZONE}&status=acknowledged")
    return next((a["outcome"] for a in body["alerts"] if a["plate"] == plate), None)


def test_patrol_sees_its_zone_alert_and_acknowledges_it(page_factory, platform):
    # GIVEN an officer signed in to the patrol app on a phone, on their zone's feed
    p = page_factory(mobile=True)
    _open_feed(p)
    assert set(p.page.locator("#feed .plate").all_inner_texts()) == set(LISTED)
    p.shot("patrol-feed")
    # WHEN they open the first alert
    p.page.click(f"#feed .alert-link:has-text('{LISTED[0]}')")
    p.page.wait_for_selector("#alert-card")
    # THEN the card shows the plate crop (loaded), category and handling instructions
    crop = p.page.locator("#crop")
    crop.wait_for()
    for _ in range(50):  # (wait_for_function evaluates strings, which the page's CSP forbids)
        if crop.evaluate("img => img.complete && img.naturalWidth > 0"):
            break
        p.page.wait_for_timeout(100)
    assert crop.evaluate("img => img.naturalWidth") > 0
    card = p.page.inner_text("#alert-card")
    assert LISTED[0] in card and "Stolen vehicle" in card and "call dispatch" in card
    p.shot("patrol-alert")
    # WHEN they acknowledge it as stopped
    p.page.select_option("#outcome", "stopped")
    p.page.click("#acknowledge")
    # THEN the app confirms and the API holds the outcome
    p.page.wait_for_selector("#ack-status:has-text('Acknowledged')")
    assert _ack_status(platform, LISTED[0]) == "stopped"
    assert p.errors == []


def test_officer_of_another_zone_does_not_see_the_alert(page_factory, platform):
    # GIVEN an officer whose identity carries another zone WHEN they open the patrol app
    p = page_factory(mobile=True)
    p.open("/patrol/")
    p.login(OTHER_OFFICER)
    p.page.wait_for_selector("#feed li")
    # THEN the app offers only their zone, and none of the listed plates seen in BXL-5339
    assert p.page.locator("#zone option").all_inner_texts() == [OTHER_ZONE]
    assert not set(p.page.locator("#feed .plate").all_inner_texts()) & set(LISTED)
    assert p.errors == []


def test_acknowledgement_made_offline_is_pending_then_sent(page_factory, platform):
    # GIVEN the officer on the second alert's card
    p = page_factory(mobile=True)
    _open_feed(p)
    p.page.click(f"#feed .alert-link:has-text('{LISTED[1]}')")
    p.page.wait_for_selector("#acknowledge")
    # WHEN the connection drops and they acknowledge "other" with a comment
    p.context.set_offline(True)
    p.page.select_option("#outcome", "other")
    p.page.fill("#comment", "Driver fled on foot")
    p.page.click("#acknowledge")
    # THEN it is shown as pending and the API has not got it
    p.page.wait_for_selector("#ack-status:has-text('Pending')")
    assert _ack_status(platform, LISTED[1]) is None
    p.shot("patrol-offline-pending")
    # WHEN the connection returns THEN it is sent and shown as acknowledged
    p.context.set_offline(False)
    p.page.wait_for_selector("#ack-status:has-text('Acknowledged')", timeout=20_000)
    assert _ack_status(platform, LISTED[1]) == "other"


def test_app_shell_opens_offline_from_the_service_worker(page_factory):
    # GIVEN the patrol app opened once online (its service worker installed and controlling the page)
    p = page_factory(mobile=True)
    p.open("/patrol/")
    p.page.wait_for_selector("#login")
    p.page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    p.page.reload()
    p.page.wait_for_selector("#login")
    assert p.page.evaluate("!!navigator.serviceWorker.controller")
    # WHEN the connection is gone and the app is opened again
    p.context.set_offline(True)
    p.page.reload()
    # THEN the shell and its login screen still come up, in the chosen language
    p.page.wait_for_selector("#login")
    assert p.page.inner_text("header h1") == "ANPR patrol"


# -- live (issue 13): every officer of the zone sees each alert, claim and close at once ---------


def _live_feed(p, user: str) -> None:
    p.open("/patrol/")
    p.login(user)
    p.page.wait_for_selector("#zone")
    if p.page.locator(f"#zone option[value='{ZONE}']").count():
        p.page.select_option("#zone", ZONE)
    p.page.wait_for_selector("#live-status.live", timeout=30_000)


def _list_new_plate(platform, plate: str) -> None:
    expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 30 * 86400))
    status, body = platform.api("manager.janssens", "POST", "/watchlist", {
        "plate": plate, "category": "stolen_vehicle", "priority": "high",
        "reason": "Car-jacking in Schaerbeek, PV-BRU-2026-00131", "owning_unit": "PZ Brussel-Noord",
        "zones": [ZONE], "expires": expires, "handling_instructions": "Armed suspects: wait for backup.",
    })  # fmt: skip
    assert status == 201, body


def _item(plate: str) -> str:
    return f"#feed li:has(.plate:text-is('{plate}'))"


def test_both_officers_of_the_zone_get_an_uploaded_alert_live_and_see_the_claim_within_a_second(
    page_factory, platform
):
    # GIVEN two officers of ZONE and one of another zone, each on their live feed, and a plate listed for ZONE
    plate = "1LIV777"
    _list_new_plate(platform, plate)
    first, second, other = page_factory(mobile=True), page_factory(mobile=True), page_factory(mobile=True)
    _live_feed(first, "officer.dubois")
    _live_feed(second, SECOND_OFFICER)
    _live_feed(other, OTHER_OFFICER)
    devices = {}
    for user in ("officer.dubois", SECOND_OFFICER, OTHER_OFFICER):
        status, body = platform.api(
            user, "POST", "/devices", {"platform": "fcm", "token": f"fcm-{user}-phone"}
        )
        assert status == 201, body
        devices[user] = body["device_id"]
    # WHEN a camera of ZONE uploads a snapshot of the car (S3 -> ingest, OCR -> match -> topic -> fan-out)
    camera = next(c for c in load_seed(DEFAULT_CAMERAS) if c.zone == ZONE and c.status == "active")
    camera_upload(platform.rt, camera, plate, int(time.time() * 1000) - 1000, seed=7)
    # THEN it appears on both officers' screens without a reload
    first.page.wait_for_selector(_item(plate), timeout=90_000)
    second.page.wait_for_selector(_item(plate), timeout=10_000)
    alert_id = first.page.get_attribute(_item(plate), "data-alert-id")
    assert second.page.get_attribute(_item(plate), "data-alert-id") == alert_id
    first.shot("patrol-live-new-alert")
    # AND the officer of the other zone has not got it, and cannot open it through the API (403, audited)
    assert plate not in other.page.inner_text("#feed")
    assert platform.api(OTHER_OFFICER, "GET", f"/alerts/{alert_id}")[0] == 403
    # AND both officers' phones got a push (in the local sink), the other zone's none; no plate in clear
    pushes = [x for x in platform.rt.live.pushes() if x["data"]["alert_id"] == alert_id]
    assert sorted(x["device_id"] for x in pushes) == sorted(
        [devices["officer.dubois"], devices[SECOND_OFFICER]]
    )
    assert plate not in json.dumps(pushes)
    # WHEN the first officer claims it ("I'm on it")
    started = time.monotonic()
    first.page.click(f"{_item(plate)} .claim")
    # THEN the second officer's screen shows who took it within a second
    second.page.wait_for_selector(f"{_item(plate)} .claimed-by", timeout=5_000)
    claim_s = time.monotonic() - started
    assert "officer.dubois" in second.page.inner_text(f"{_item(plate)} .claimed-by")
    second.shot("patrol-live-claimed")
    # (the ≤ 1 s goal is measured by bench/live_bench.py, claim → other screen: a timing
    # assertion here fails whenever the CI machine is busy; the claim must arrive, live)
    print(f"claim reached the other officer after {claim_s:.2f} s")
    # WHEN the first officer closes it with an outcome on the card
    first.page.click(f"{_item(plate)} .alert-link")
    first.page.wait_for_selector("#alert-card")
    first.page.select_option("#outcome", "stopped")
    first.page.click("#acknowledge")
    first.page.wait_for_selector("#ack-status:has-text('Acknowledged')")
    # THEN it leaves the second officer's open feed at once
    second.page.wait_for_selector(_item(plate), state="detached", timeout=5_000)
    assert first.errors == [] and second.errors == [] and other.errors == []


def test_a_claim_made_offline_is_pending_then_sent_and_the_feed_reconnects(page_factory, platform):
    # GIVEN an officer on the live feed with an open, unclaimed alert of the zone
    plate = "2OFF555"
    _list_new_plate(platform, plate)
    ingest = spec.function("Ingest")
    hook = alert_service(settings_from(AlertMatchSettings, platform.rt.function_env(ingest)))
    camera = next(c for c in load_seed(DEFAULT_CAMERAS) if c.zone == ZONE and c.status == "active")
    bucket = platform.rt.name("bucket", "Snapshots")
    time.sleep(0.05)  # seen after it was listed (an entry is valid from its creation)
    assert hook.on_reads([_read(camera, plate, int(time.time() * 1000), bucket)])
    p = page_factory(mobile=True)
    _live_feed(p, SECOND_OFFICER)
    p.page.wait_for_selector(f"{_item(plate)} .claim")
    # WHEN the connection drops and they claim it
    p.context.set_offline(True)
    p.page.click(f"{_item(plate)} .claim")
    # THEN the claim is shown as pending, and the API has not got it
    p.page.wait_for_selector(f"{_item(plate)} .pending")
    _, body = platform.api(SECOND_OFFICER, "GET", f"/alerts?zone={ZONE}")
    assert next(a for a in body["alerts"] if a["plate"] == plate)["claimed_by"] is None
    p.shot("patrol-claim-pending")
    # WHEN the connection returns THEN the claim is sent, the live channel reconnects and shows it
    p.context.set_offline(False)
    p.page.wait_for_selector(f"{_item(plate)} .claimed-by", timeout=30_000)
    p.page.wait_for_selector("#live-status.live", timeout=30_000)
    _, body = platform.api(SECOND_OFFICER, "GET", f"/alerts?zone={ZONE}")
    assert next(a for a in body["alerts"] if a["plate"] == plate)["claimed_by"] == SECOND_OFFICER
