"""The patrol app in a real (mobile-sized) browser: my zone's alerts, the alert card, acknowledge,
and an acknowledgement made offline kept pending and sent once back online."""

from __future__ import annotations

import pytest

from tests.web.conftest import LISTED, OTHER_OFFICER, OTHER_ZONE, ZONE

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
