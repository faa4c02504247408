"""The console in a real browser: each role logs in, sees only its screens and does its main task."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.web.conftest import LISTED, OPS, PARTNER, TRACKED, ZONE, run_search

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-runtime")]

#: what each of the demo's people may use in the console (from the API's route roles)
MENUS = {
    "inspector.peeters": {"search"},
    "auditor.maes": {"audit"},
    "supervisor.claes": {"probes", "followup", "watchlist"},
    "manager.janssens": {"watchlist"},
    "officer.dubois": set(),
    OPS: {"ops", "quarantine"},
    "ops.lambert": {"ops", "quarantine"},
}


def _fill(p, fields: dict[str, str]) -> None:
    """Type each value into the field its selector names."""
    for selector, value in fields.items():
        p.page.fill(selector, value)


def _signed_in(page_factory, user: str, **open_kwargs):
    """A fresh browser page on the console, signed in as ``user``."""
    p = page_factory()
    p.open("/console/", **open_kwargs)
    p.login(user)
    return p


@pytest.mark.parametrize("user", sorted(MENUS))
def test_each_role_sees_only_its_screens(page_factory, user):
    # GIVEN one of the demo's people WHEN they sign in to the console
    p = _signed_in(page_factory, user)
    p.page.wait_for_selector("#whoami")
    # THEN the menu offers exactly the screens their role may use
    p.page.wait_for_selector("nav, #no-screens")
    shown = {m.get_attribute("id").removeprefix("menu-") for m in p.page.query_selector_all("nav a")}
    assert shown == MENUS[user]
    assert p.errors == []


def test_wrong_password_is_refused_with_a_message(page_factory):
    # GIVEN the login screen in Dutch WHEN a wrong password is given
    p = page_factory()
    p.open("/console/", lang="nl")
    p.login("inspector.peeters", "Wrong-Password-1!")
    # THEN a Dutch error is shown and nobody is signed in
    p.page.wait_for_selector(".login .error:not(:empty)")
    assert "mislukt" in p.page.inner_text(".login .error")
    assert p.page.query_selector("#whoami") is None


@pytest.mark.parametrize(
    "lang,title,button",
    [("nl", "Aanmelden", "Aanmelden"), ("fr", "Connexion", "Se connecter"), ("en", "Sign in", "Sign in")],
)
def test_login_screen_speaks_each_language(page_factory, lang, title, button):
    # GIVEN the console's first screen WHEN a language is picked THEN every string changes with it
    p = page_factory()
    p.open("/console/", lang=lang)
    assert p.page.inner_text(".login h2") == title
    assert p.page.inner_text("#login") == button
    assert p.page.evaluate("document.documentElement.lang") == lang
    p.shot(f"console-login-{lang}")
    assert p.errors == []


def test_investigator_runs_a_trajectory_search_and_sees_it_on_the_map(page_factory, platform):
    # GIVEN an investigator signed in, and a vehicle seen by six R0 cameras in the last hour
    p = _signed_in(page_factory, "inspector.peeters")
    p.page.wait_for_selector("#search-form")
    # WHEN they compose a trajectory search with case reference and reason and run it
    p.page.select_option("#search-type", "trajectory")
    p.page.fill("#plate", TRACKED)
    p.page.fill("#case-ref", "PV-BRU-2026-01234")
    p.page.fill("#reason", "Car-jacking series, Brussels north; vehicle tracing")
    assert p.page.is_hidden("#prosecutor-ref")  # within 30 days: no prosecutor decision needed
    # AND before submitting, the estimated cost and the age rule are shown (from the API)
    p.page.wait_for_selector("#estimate-cost")
    assert re.search(r"≈ 1 partition", p.page.inner_text("#estimate-cost"))
    assert "30-day window" in p.page.inner_text("#estimate-age")
    p.page.click("#run-search")
    # THEN the job's progress is shown, then every sighting in time order, in the table and on the map
    p.page.wait_for_selector("#results table", timeout=120_000)
    assert re.search(r"SUCCEEDED", p.page.inner_text("#job-status"))
    cams = [c.split(" — ")[0] for c in p.page.locator("#results tbody tr td:nth-child(4)").all_inner_texts()]
    assert cams == platform.trajectory
    assert p.page.locator("#map .marker-sighting").count() == len(platform.trajectory)
    assert p.page.locator("#map .line-trajectory").count() == 1
    assert p.page.locator("#map .road").count() > 10  # the offline base layer
    # WHEN the time slider goes back to the third sighting THEN the map shows the first three only
    p.page.focus("#time-slider")
    for _ in range(len(platform.trajectory) - 3):
        p.page.keyboard.press("ArrowLeft")  # keyboard-usable
    assert p.page.locator("#map .marker-sighting").count() == 3
    assert "3 of 6" in p.page.inner_text("#time-slider-text")
    p.shot("console-trajectory-slider")
    p.page.fill("#time-slider", str(len(platform.trajectory)))
    p.page.dispatch_event("#time-slider", "input")
    assert p.page.locator("#map .marker-sighting").count() == len(platform.trajectory)
    p.shot("console-trajectory")
    # AND an export downloads as a file
    with p.page.expect_download() as dl:
        p.page.click("#export-geojson")
    geo = json.loads(Path(dl.value.path()).read_text())
    assert geo["type"] == "FeatureCollection"
    # WHEN the overview image of the third sighting is asked THEN it loads, and the view is audited
    p.page.locator("#results .overview-btn").nth(2).click()
    p.page.wait_for_selector("#overview-img")
    for _ in range(50):  # loaded from the object store through the presigned link
        if p.page.locator("#overview-img").evaluate("img => img.complete && img.naturalWidth"):
            break
        time.sleep(0.1)
    assert p.page.locator("#overview-img").evaluate("img => img.naturalWidth") == 640
    assert platform.trajectory[2] in p.page.inner_text("#overview figcaption")
    # WHEN two reads are chosen and a legal hold is requested with the case's justification
    picks = p.page.locator("#results .hold-pick")
    picks.nth(1).check()
    picks.nth(2).check()
    assert "2" in p.page.inner_text("#hold-count")
    p.page.click("#hold-place")
    # THEN the hold is placed on exactly those reads (checked through the API)
    p.page.wait_for_selector("#hold-placed")
    hold_id = p.page.get_attribute("#hold-placed", "data-hold-id")
    status, hold = platform.api("inspector.peeters", "GET", f"/legal-holds/{hold_id}")
    assert status == 200 and hold["status"] == "active" and len(hold["reads"]) == 2
    p.shot("console-legal-hold")
    # AND released again with a reason
    p.page.fill("#hold-release-reason", "Evidence copied to the case file, hold no longer needed")
    p.page.click("#hold-release")
    p.page.wait_for_selector("#hold-released")
    assert platform.api("inspector.peeters", "GET", f"/legal-holds/{hold_id}")[1]["status"] == "released"
    assert p.errors == []


def test_search_beyond_30_days_asks_for_the_prosecutor_reference(page_factory):
    # GIVEN an investigator composing a search WHEN its start is 40 days back
    p = _signed_in(page_factory, "inspector.peeters", lang="fr")
    p.page.wait_for_selector("#search-form")
    p.page.fill("#from", time.strftime("%Y-%m-%dT%H:%M", time.localtime(time.time() - 40 * 86400)))
    p.page.dispatch_event("#from", "change")
    # THEN the age rule is shown and the prosecutor reference field appears
    assert p.page.is_visible("#prosecutor-ref")
    assert "30 jours" in p.page.inner_text("#search-form")
    # AND with a plate, the API's estimate says so too, with the age in days (in French)
    p.page.fill("#plate", TRACKED)
    p.page.wait_for_selector("#estimate-age.warn")
    assert "procureur" in p.page.inner_text("#estimate-age")
    assert "il y a 40 jours" in p.page.inner_text("#estimate")
    assert p.errors == []


def _investigator_traces_the_plate(platform, case_ref: str, reason: str) -> None:
    """The investigator's trajectory search over the last two hours of TRACKED (an audited access)."""
    now_ms = int(time.time() * 1000)
    status, body = platform.api(
        "inspector.peeters",
        "POST",
        "/searches",
        {
            "type": "trajectory",
            "params": {"plate": TRACKED, "start_ms": now_ms - 7_200_000, "end_ms": now_ms},
            "case_ref": case_ref,
            "reason": reason,
        },
    )
    assert status in (200, 202), body


def test_auditor_sees_who_accessed_a_plate(page_factory, platform):
    # GIVEN the investigator searched the plate (an audited access)
    _investigator_traces_the_plate(platform, "PV-1", "complaint test")
    # WHEN the auditor asks who accessed it, with the complaint's reference and reason
    p = _signed_in(page_factory, "auditor.maes")
    p.page.wait_for_selector("#audit-plate")
    p.page.fill("#audit-plate", TRACKED)
    p.page.fill("#audit-case-ref", "COC-2026-077")
    p.page.fill("#audit-reason", "Complaint by the vehicle's owner")
    p.page.click("#audit-lookup")
    # THEN the investigator's access is listed, and the audit chain verifies
    p.page.wait_for_selector("#accesses table")
    rows = p.page.locator("#accesses tbody tr").all_inner_texts()
    assert any("inspector.peeters" in r and "search.submitted" in r for r in rows), rows
    # AND the log filters by person and action
    p.page.fill("#filter-person", "peeters")
    p.page.select_option("#filter-action", "search.submitted")
    kept = p.page.locator("#accesses tbody tr").all_inner_texts()
    assert kept and all("inspector.peeters" in r and "search.submitted" in r for r in kept)
    p.page.fill("#filter-person", "nobody-of-that-name")
    assert p.page.locator("#accesses tbody tr").count() == 0
    p.page.fill("#filter-person", "")
    # AND the whole access log of the period, filtered by the API on person and action
    _fill(p, {"#log-case-ref": "COC-2026-078", "#log-reason": "Periodic oversight of the searches",
              "#log-person": "peeters", "#log-action": "search.submitted"})  # fmt: skip
    p.page.click("#access-log-run")
    p.page.wait_for_selector("#access-log table")
    logged = p.page.locator("#access-log tbody tr").all_inner_texts()
    assert logged and all("inspector.peeters" in r and "search.submitted" in r for r in logged)
    p.page.wait_for_selector("#verify.ok")
    # AND the transparency report comes with charts: the searches by type include trajectories
    p.page.wait_for_selector("#charts svg")
    searches = p.page.locator("#charts figure").first
    assert "trajectory" in searches.inner_text() and searches.locator(".chart-bar").count() >= 1
    p.shot("console-audit")
    assert p.errors == []


def test_static_files_never_leave_the_build_folder(platform):
    # GIVEN the local web server WHEN a path climbs out of web/dist THEN it is not served
    req = urllib.request.Request(platform.web.url + "/../../pyproject.toml")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            status = r.status
    except urllib.error.HTTPError as e:
        status = e.code
    assert status == 404


def test_login_without_password_is_a_400(platform):
    # GIVEN the local sign-in endpoint (Cognito's API) WHEN the password is missing THEN a 400 with a reason
    req = urllib.request.Request(
        platform.web.url + "/cognito/",
        data=json.dumps(
            {
                "AuthFlow": "USER_PASSWORD_AUTH",
                "ClientId": platform.rt.identity.client_id,
                "AuthParameters": {"USERNAME": "auditor.maes"},
            }
        ).encode(),
        method="POST",
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
        },
    )
    try:
        urllib.request.urlopen(req, timeout=10)
        status, body = 200, {}
    except urllib.error.HTTPError as e:
        status, body = e.code, json.loads(e.read())
    assert status == 400 and "PASSWORD" in body["message"]


def test_partial_search_lists_all_and_only_the_matching_plates(page_factory, platform):
    # GIVEN reads of the tracked vehicle and of the listed ones WHEN a partial pattern is searched
    p = _signed_in(page_factory, "inspector.peeters", lang="nl")
    p.page.wait_for_selector("#search-form")
    p.page.select_option("#search-type", "partial")
    p.page.fill("#pattern", "1AB*")
    p.page.fill("#case-ref", "PV-BRU-2026-01234")
    p.page.fill("#reason", "Witness saw a partial plate starting 1-AB")
    p.page.fill("#from", time.strftime("%Y-%m-%dT%H:%M", time.localtime(time.time() - 7200)))
    p.page.click("#run-search")
    # THEN exactly the tracked plate is listed (1KLM456 and 2XYZ987 do not fit the pattern)
    p.page.wait_for_selector("#results table, #job-status:has-text('Fout')", timeout=120_000)
    assert "SUCCEEDED" in p.page.inner_text("#job-status")
    assert p.page.locator("#results tbody td:nth-child(2)").all_inner_texts() == [TRACKED]
    assert p.errors == []


def test_watchlist_manager_adds_and_expires_an_entry(page_factory):
    from playwright.sync_api import expect  # installed by `make web`; the fixtures skip without it

    # GIVEN the watchlist manager on the watchlist screen
    p = _signed_in(page_factory, "manager.janssens")
    p.page.wait_for_selector("#watchlist-form")
    # WHEN they list a plate with reason, unit, zones and expiry
    _fill(p, {"#wl-plate": "9ZZZ999", "#wl-reason": "Missing since Sunday, family worried",
              "#wl-unit": "PZ Brussel-Noord", "#wl-zones": "BXL-5344"})  # fmt: skip
    p.page.select_option("#wl-category", "missing_person")
    p.page.click("#watchlist-form button[type=submit]")
    # THEN it appears in the list
    row = p.page.locator("#entries tr", has_text="9ZZZ999")
    row.wait_for()
    assert "Missing person" in row.inner_text()
    assert row.locator("td.hits").inner_text() == "0"  # not seen yet
    assert row.locator("td.misreads").inner_text() == "0"  # no misread reported yet
    # WHEN they edit it: a new reason and priority THEN the list shows the change
    row.locator(".wl-edit").click()
    assert p.page.input_value("#wl-reason") == "Missing since Sunday, family worried"
    p.page.fill("#wl-reason", "Missing since Sunday; seen near the canal")
    p.page.select_option("#wl-priority", "medium")
    p.page.click("#wl-submit")
    p.page.locator("#entries tr", has_text="seen near the canal").wait_for()
    p.shot("console-watchlist")
    # AND a filter on the plate lists that entry only
    p.page.fill("#wl-filter", "9ZZZ999")
    p.page.click("#wl-filter-form button")
    expect(p.page.locator("#entries tbody tr")).to_have_count(1)
    # WHEN they expire it THEN it leaves the list
    row = p.page.locator("#entries tr", has_text="9ZZZ999")
    row.locator(".wl-expire").click()
    row.wait_for(state="detached")
    assert p.errors == []


def test_watchlist_manager_imports_a_csv_with_a_report_per_line(page_factory):
    from playwright.sync_api import expect

    # GIVEN a CSV of two good lines and one without an expiry
    expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 10 * 86400))
    csv = (
        "plate,category,priority,reason,owning_unit,expires,zones\n"
        f"7AAA111,stolen_vehicle,high,Stolen in Ixelles PV 42,PZ Brussel-Zuid,{expires},BXL-5339\n"
        "7BBB222,wanted_person,low,No expiry given here,PZ Brussel-Zuid,,BXL-5339\n"
        f"7CCC333,other,medium,Fraud case follow-up,PZ Brussel-Noord,{expires},national\n"
    )
    p = _signed_in(page_factory, "manager.janssens", lang="nl")
    p.page.wait_for_selector("#wl-import-form")
    # WHEN it is imported
    p.page.set_input_files(
        "#wl-import-file", files=[{"name": "list.csv", "mimeType": "text/csv", "buffer": csv.encode()}]
    )
    expect(p.page.locator("#wl-import-text")).to_have_value(re.compile("7CCC333"))
    p.page.click("#wl-import-run")
    # THEN each line is reported: two created, the one without expiry refused with its reason
    p.page.wait_for_selector("#wl-import-report table")
    assert "2 aangemaakt, 1 regels geweigerd" in p.page.inner_text("#wl-import-report")
    refused = p.page.locator("#wl-import-report tr.import-error").inner_text()
    assert "3" in refused and "expires" in refused
    p.page.locator("#entries tr", has_text="7CCC333").wait_for()
    p.shot("console-watchlist-import")
    # the list is the test platform's: leave it as it was
    for row in p.page.locator("#entries tr", has_text="7").all():
        if any(plate in row.inner_text() for plate in ("7AAA111", "7CCC333")):
            row.locator(".wl-expire").click()
    p.page.locator("#entries tr", has_text="7AAA111").wait_for(state="detached")
    assert p.errors == []


def test_supervisor_follows_up_the_alerts_of_a_zone_and_shift(page_factory, platform):
    # GIVEN two listed vehicles seen in the supervisor's zone (two alerts nobody answered yet)
    p = _signed_in(page_factory, "supervisor.claes")
    p.page.click("#menu-followup")
    p.page.wait_for_selector("#fu-zone option", state="attached")
    assert p.page.input_value("#fu-zone") == ZONE
    # WHEN they show the current shift
    p.page.click("#fu-show")
    # THEN both alerts are counted as raised and listed as unanswered
    p.page.wait_for_selector("#fu-figures")
    raised = int(p.page.inner_text("#fu-figures dd[data-key='fu.raised']"))
    assert raised >= len(LISTED)
    assert p.page.locator("#followup tbody tr").count() >= 1
    p.shot("console-followup")
    assert p.errors == []


def _run(p, search_type: str, fill: dict[str, str]) -> None:
    reason = "Car-jacking series, Brussels north; vehicle tracing"
    run_search(p, "inspector.peeters", search_type, fill, "PV-BRU-2026-01234", reason)


def test_convoy_search_ranks_the_partner_first_and_highlights_it(page_factory, platform):
    # GIVEN a partner 8 s behind the tracked vehicle at six cameras WHEN a convoy search is run
    p = page_factory()
    _run(p, "convoy", {"#plate": TRACKED, "#min-cameras": "3"})
    # THEN the partner is ranked first and its cameras are highlighted on the map
    assert p.page.locator("#results tbody tr td:nth-child(2)").first.inner_text() == PARTNER
    assert p.page.locator("#map .marker-partner").count() == len(platform.trajectory)
    p.shot("console-convoy")

    assert p.errors == []


def test_place_search_lists_the_vehicles_seen_at_a_camera(page_factory, platform):
    # GIVEN the first camera of the route WHEN a place-and-time search names it
    p = page_factory()
    _run(p, "place", {"#cameras": platform.trajectory[0]})
    # THEN both vehicles that passed it are listed, and nothing else
    assert set(p.page.locator("#results tbody td:nth-child(2)").all_inner_texts()) == {TRACKED, PARTNER}
    # AND the second vehicle's camera comes on the map on demand (a button per row: keyboard-usable)
    second = p.page.locator("#results tbody tr").nth(1)
    second.locator(".on-map").focus()
    p.page.keyboard.press("Enter")
    assert p.page.inner_text("#map-caption") == second.locator("td").nth(1).inner_text()
    assert p.page.locator("#map .marker-sighting").count() == 1
    assert p.errors == []


def test_ab_search_lists_the_vehicles_seen_at_both_places(page_factory, platform):
    # GIVEN the first and the last camera of the route WHEN an A-and-B search names them
    p = page_factory()
    _run(p, "ab", {"#cameras": platform.trajectory[0], "#cameras-b": platform.trajectory[-1]})
    # THEN both vehicles that drove from A to B are listed
    assert set(p.page.locator("#results tbody td:nth-child(2)").all_inner_texts()) == {TRACKED, PARTNER}
    assert p.errors == []


def test_ops_sees_every_camera_on_the_map_with_its_status(page_factory, platform):
    # GIVEN the registered cameras (all active in the test platform) and no camera network
    status, body = platform.api(OPS, "GET", "/cameras")
    assert status == 200
    cameras = body["cameras"]
    # WHEN ops opens the console
    p = _signed_in(page_factory, OPS, lang="fr")
    p.page.wait_for_selector("#ops-map svg")
    # THEN every camera is a marker, counted per status, no network is listed, the chain verifies
    assert p.page.locator("#ops-map .marker-camera").count() == len(cameras)
    assert p.page.locator("#ops-map .marker-camera-off").count() == 0
    assert p.page.inner_text("#ops-status tr.total td[data-status='active']") == str(len(cameras))
    p.page.wait_for_selector("#ops-no-networks")
    assert "Aucun réseau" in p.page.inner_text("#ops-no-networks")
    p.page.wait_for_selector("#verify.ok")
    p.shot("console-ops")
    assert p.errors == []


def test_supervisor_answers_an_audit_probe_with_the_evidence(page_factory, platform):
    # GIVEN an investigator's search and the daily probe draw over it (the scheduled job, run now)
    _investigator_traces_the_plate(
        platform, "PV-BRU-2026-04711", "Probe evidence: tracing the car-jacking vehicle"
    )
    # the period ends after the search was recorded (its first call may take seconds: a cold start)
    end_ms = int(time.time() * 1000) + 1000
    drawn = platform.rt.hosts["Probes"].invoke({"job": "draw", "period_days": 1, "end_ms": end_ms})
    assert drawn["drawn"], drawn
    # WHEN the supervisor opens the probes drawn for them
    p = _signed_in(page_factory, "supervisor.claes")
    p.page.click("#menu-probes")
    p.page.wait_for_selector("#probes form.probe")
    probe = p.page.locator("#probes form.probe").first
    # THEN each probe shows the evidence to judge: who searched, the case, the reason
    assert "inspector.peeters" in probe.inner_text() and "open" in probe.inner_text()
    p.shot("console-probes")
    # WHEN they answer it as justified with a comment THEN it is answered (checked through the API)
    probe.locator("select").select_option("justified")
    probe.locator("textarea").fill("Case file PV checked: the search fits the investigation")
    probe.locator("button[type=submit]").click()
    p.page.locator("#probes form.probe", has_text="answered").first.wait_for()
    status, body = platform.api("supervisor.claes", "GET", "/probes")
    assert status == 200 and any(
        x["status"] == "answered" and x["verdict"] == "justified" for x in body["probes"]
    )
    assert p.errors == []


HEALTH_NETWORK = "web-health"


@pytest.fixture(scope="module")
def unhealthy(platform):
    """A network with a camera silent for three hours in hours it always sent in, one that sent a
    minute ago but had two snapshots quarantined (one copy kept), and a refused upload."""
    from anpr.ingest.quarantine import S3QuarantineStore
    from anpr.kernel.clock import system_clock
    from anpr.networks.activity import DynamoActivityStore
    from anpr.reads.models import QuarantineReason, SnapshotRef

    from tests.web.conftest import _overview_jpeg

    rt = platform.rt
    status, net = platform.api(OPS, "POST", "/networks", {"network_id": HEALTH_NETWORK, "name": "Web health",
                               "kind": "city", "contact": "ops@web-health.example", "zones": [ZONE]})  # fmt: skip
    assert status == 201, net
    for cam, lat in (("WH-SILENT", 50.86), ("WH-QUAR", 50.84)):
        body = {"camera_id": cam, "name": cam, "lat": lat, "lon": 4.35, "zone": ZONE}
        status, out = platform.api(OPS, "POST", f"/networks/{HEALTH_NETWORK}/cameras", body)
        assert status == 201, out
    now = int(time.time() * 1000)
    hour = 3_600_000
    activity = DynamoActivityStore(
        rt.name("table", "CameraActivity"), "eu-west-1", every_ms=1, client=rt.client("dynamodb")
    )
    for k in range(28 * 24 - 1, 2, -1):  # every hour of four weeks, oldest first, until 3 h ago
        activity.record("WH-SILENT", HEALTH_NETWORK, now - k * hour)
    activity.record("WH-QUAR", HEALTH_NETWORK, now - 60_000)
    s3 = rt.client("s3")
    snapshots = rt.name("bucket", "Snapshots")
    store = S3QuarantineStore(rt.name("bucket", "Quarantine"), system_clock, client=s3)
    for i, reason in enumerate(("corrupt_image", "too_large")):
        key = f"snapshots/{HEALTH_NETWORK}/WH-QUAR/2026/11/30/10/{now - i * 1000}_{i}.jpg"
        s3.put_object(Bucket=snapshots, Key=key, Body=_overview_jpeg("1QQQ001"), ContentType="image/jpeg")
        ref = SnapshotRef(bucket=snapshots, key=key, size=1234)
        store.quarantine(ref, QuarantineReason(reason), f"web test {reason}", keep_object=(i == 0))
    req = urllib.request.Request(rt.gateway.url + "/uploads", method="POST",
                                 data=json.dumps({"camera_id": "WH-NOPE"}).encode(),
                                 headers={"Authorization": f"Network {net['upload_key']}", "Content-Type": "application/json"})  # fmt: skip
    try:
        urllib.request.urlopen(req, timeout=30)
        raise AssertionError("an upload for another camera was granted")
    except urllib.error.HTTPError as e:
        assert e.code == 403
    return net


def test_ops_sees_camera_health_on_the_map_and_the_alarms(page_factory, platform, unhealthy):
    # GIVEN a silent camera, a quarantining one and a refused upload (fixture)
    # WHEN ops opens the camera screen
    p = _signed_in(page_factory, OPS, lang="en")
    p.page.wait_for_selector("#ops-alarms .alarm")
    # THEN the silent and the quarantining camera are coloured on the map...
    assert p.page.locator("#ops-map .health-silent").count() == 1
    assert p.page.locator("#ops-map .health-quarantining").count() == 1
    # ...listed with their state, and each raises an alarm, as does the network's refused upload
    kinds = sorted(p.page.locator("#ops-alarms .alarm").evaluate_all("els => els.map(e => e.dataset.kind)"))
    assert kinds == ["refused_uploads", "silent"]
    assert "unknown_camera 1" in p.page.inner_text("#ops-alarms .alarm-refused_uploads")
    assert p.page.inner_text("#ops-health tr[data-camera='WH-SILENT'] td[data-health]").startswith(
        "silent (18"
    )
    row = p.page.inner_text("#ops-health tr[data-camera='WH-QUAR']")
    assert "quarantining" in row and "corrupt_image 1" in row and "too_large 1" in row
    net = p.page.inner_text(f"#ops-network-table tr[data-network='{HEALTH_NETWORK}']")
    assert "1 / 2" in net and "unknown_camera 1" in net
    p.shot("console-ops-health")
    assert p.errors == []


def test_ops_browses_the_quarantine_and_opens_an_image_with_a_reason(page_factory, platform, unhealthy):
    from anpr.accountability.adapters.dynamo import DynamoAuditTrail
    from anpr.kernel.clock import system_clock

    # GIVEN two quarantined snapshots of one camera, one with its copy kept (fixture)
    p = page_factory()
    p.open("/console/#quarantine", lang="nl")
    p.login(OPS)
    p.page.wait_for_selector("#q-table")
    # THEN the camera's two snapshots are listed with their reasons (beside what ingest itself
    # quarantined: the fixture's uploads carry no camera metadata)
    listed = p.page.locator("#q-table tbody tr").all_inner_texts()
    assert {"corrupt_image", "too_large"} <= {r.split("\t")[1] for r in listed if "WH-QUAR" in r}
    # WHEN ops filters by reason (keyboard only)
    p.page.focus("#q-reason")
    p.page.select_option("#q-reason", "corrupt_image")
    p.page.keyboard.press("Tab")  # to "Show"
    p.page.keyboard.press("Enter")
    p.page.wait_for_function(
        "() => [...document.querySelectorAll('#q-table td[data-reason]')].every(td => td.textContent === 'corrupt_image')"
    )
    mine = p.page.locator("#q-table tbody tr", has_text="web test corrupt_image")
    assert mine.count() == 1
    # AND opens the image without a reason: refused with the API's reason, nothing shown
    mine.locator(".q-open").click()
    p.page.wait_for_selector("#quarantine-image .error")
    assert "case_ref" in p.page.inner_text("#quarantine-image")
    # AND with a ticket reference and a reason: the snapshot is shown, the view audited
    p.page.fill("#q-case-ref", "INC-2026-0042")
    p.page.fill("#q-why", "Camera WH-QUAR sends corrupt images since this morning")
    p.page.click("#q-table .q-open")
    p.page.wait_for_function(
        "() => { const i = document.querySelector('#quarantine-image img'); return i && i.complete && i.naturalWidth > 0; }"
    )
    trail = DynamoAuditTrail(platform.rt.name("table", "AuditTrail"), "eu-west-1", clock=system_clock)
    viewed = [r.event for r in trail.records() if r.event.action == "quarantine.image_viewed"]
    assert [(e.actor_name, e.outcome, e.case_ref) for e in viewed][-2:] == [
        (OPS, "denied", None),
        (OPS, "allowed", "INC-2026-0042"),
    ]
    p.shot("console-quarantine")
    # the refused view logs a 400 on the console (the browser's own network error line)
    assert [e for e in p.errors if "400" not in e] == []


def test_watchlist_manager_sees_each_entrys_hits(page_factory, platform):
    # GIVEN the two listed vehicles, each seen once in the zone after it was listed (an alert each)
    p = page_factory()
    p.open("/console/#watchlist", lang="fr")
    p.login("manager.janssens")
    # WHEN the watchlist manager opens the list
    for plate in LISTED:
        row = p.page.locator("#entries tr", has_text=plate)
        row.wait_for()
        # THEN each entry counts its one exact hit, and no misread
        assert (row.locator("td.hits").inner_text(), row.locator("td.misreads").inner_text()) == ("1", "0")
    assert "Détections" in p.page.inner_text("#entries thead")
    assert p.errors == []
