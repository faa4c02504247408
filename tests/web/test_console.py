"""The console in a real browser: each role logs in, sees only its screens and does its main task."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from pathlib import Path

import pytest

from tests.web.conftest import PARTNER, TRACKED

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-runtime")]

#: what each of the demo's people may use in the console (from the API's route roles)
MENUS = {
    "inspector.peeters": {"search"},
    "auditor.maes": {"audit"},
    "supervisor.claes": {"probes", "watchlist"},
    "manager.janssens": {"watchlist"},
    "officer.dubois": set(),
}


@pytest.mark.parametrize("user", sorted(MENUS))
def test_each_role_sees_only_its_screens(page_factory, user):
    # GIVEN one of the demo's people WHEN they sign in to the console
    p = page_factory()
    p.open("/console/")
    p.login(user)
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
    p = page_factory()
    p.open("/console/")
    p.login("inspector.peeters")
    p.page.wait_for_selector("#search-form")
    # WHEN they compose a trajectory search with case reference and reason and run it
    p.page.select_option("#search-type", "trajectory")
    p.page.fill("#plate", TRACKED)
    p.page.fill("#case-ref", "PV-BRU-2026-01234")
    p.page.fill("#reason", "Car-jacking series, Brussels north; vehicle tracing")
    assert p.page.is_hidden("#prosecutor-ref")  # within 30 days: no prosecutor decision needed
    p.page.click("#run-search")
    # THEN the job's progress is shown, then every sighting in time order, in the table and on the map
    p.page.wait_for_selector("#results table", timeout=120_000)
    assert re.search(r"SUCCEEDED", p.page.inner_text("#job-status"))
    cams = [c.split(" — ")[0] for c in p.page.locator("#results tbody tr td:nth-child(3)").all_inner_texts()]
    assert cams == platform.trajectory
    assert p.page.locator("#map .marker-sighting").count() == len(platform.trajectory)
    assert p.page.locator("#map .line-trajectory").count() == 1
    assert p.page.locator("#map .road").count() > 10  # the offline base layer
    p.shot("console-trajectory")
    # AND an export downloads as a file
    with p.page.expect_download() as dl:
        p.page.click("#export-geojson")
    geo = json.loads(Path(dl.value.path()).read_text())
    assert geo["type"] == "FeatureCollection"
    assert p.errors == []


def test_search_beyond_30_days_asks_for_the_prosecutor_reference(page_factory):
    # GIVEN an investigator composing a search WHEN its start is 40 days back
    p = page_factory()
    p.open("/console/", lang="fr")
    p.login("inspector.peeters")
    p.page.wait_for_selector("#search-form")
    p.page.fill("#from", "2020-01-01T00:00")
    p.page.dispatch_event("#from", "change")
    # THEN the age rule is shown and the prosecutor reference field appears
    assert p.page.is_visible("#prosecutor-ref")
    assert "30 jours" in p.page.inner_text("#search-form")


def test_auditor_sees_who_accessed_a_plate(page_factory, platform):
    # GIVEN the investigator searched the plate (an audited access)
    now_ms = int(time.time() * 1000)
    status, _ = platform.api(
        "inspector.peeters",
        "POST",
        "/searches",
        {
            "type": "trajectory",
            "params": {"plate": TRACKED, "start_ms": now_ms - 7_200_000, "end_ms": now_ms},
            "case_ref": "PV-1",
            "reason": "complaint test",
        },
    )
    assert status in (200, 202), _
    # WHEN the auditor asks who accessed it, with the complaint's reference and reason
    p = page_factory()
    p.open("/console/")
    p.login("auditor.maes")
    p.page.wait_for_selector("#audit-plate")
    p.page.fill("#audit-plate", TRACKED)
    p.page.fill("#audit-case-ref", "COC-2026-077")
    p.page.fill("#audit-reason", "Complaint by the vehicle's owner")
    p.page.click("#audit-lookup")
    # THEN the investigator's access is listed, and the audit chain verifies
    p.page.wait_for_selector("#accesses table")
    rows = p.page.locator("#accesses tbody tr").all_inner_texts()
    assert any("inspector.peeters" in r and "search.submitted" in r for r in rows), rows
    p.page.wait_for_selector("#verify.ok")
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
    # GIVEN the local login endpoint WHEN the password is missing THEN a 400 with a reason
    req = urllib.request.Request(
        platform.web.url + "/login",
        data=b'{"username": "auditor.maes"}',
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        urllib.request.urlopen(req, timeout=10)
        status, body = 200, {}
    except urllib.error.HTTPError as e:
        status, body = e.code, json.loads(e.read())
    assert status == 400 and "password" in body["error"]


def test_partial_search_lists_all_and_only_the_matching_plates(page_factory, platform):
    # GIVEN reads of the tracked vehicle and of the listed ones WHEN a partial pattern is searched
    p = page_factory()
    p.open("/console/", lang="nl")
    p.login("inspector.peeters")
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
    assert p.page.locator("#results tbody td:first-child").all_inner_texts() == [TRACKED]
    assert p.errors == []


def test_watchlist_manager_adds_and_expires_an_entry(page_factory):
    # GIVEN the watchlist manager on the watchlist screen
    p = page_factory()
    p.open("/console/")
    p.login("manager.janssens")
    p.page.wait_for_selector("#watchlist-form")
    # WHEN they list a plate with reason, unit, zones and expiry
    p.page.fill("#wl-plate", "9ZZZ999")
    p.page.select_option("#wl-category", "missing_person")
    p.page.fill("#wl-reason", "Missing since Sunday, family worried")
    p.page.fill("#wl-unit", "PZ Brussel-Noord")
    p.page.fill("#wl-zones", "BXL-5344")
    p.page.click("#watchlist-form button[type=submit]")
    # THEN it appears in the list
    row = p.page.locator("#entries tr", has_text="9ZZZ999")
    row.wait_for()
    assert "Missing person" in row.inner_text()
    p.shot("console-watchlist")
    # WHEN they expire it THEN it leaves the list
    row.get_by_role("button").click()
    row.wait_for(state="detached")
    assert p.errors == []


def _run(p, search_type: str, fill: dict[str, str]) -> None:
    p.open("/console/")
    p.login("inspector.peeters")
    p.page.wait_for_selector("#search-form")
    p.page.select_option("#search-type", search_type)
    for selector, value in fill.items():
        p.page.fill(selector, value)
    p.page.fill("#case-ref", "PV-BRU-2026-01234")
    p.page.fill("#reason", "Car-jacking series, Brussels north; vehicle tracing")
    p.page.fill("#from", time.strftime("%Y-%m-%dT%H:%M", time.localtime(time.time() - 7200)))
    p.page.click("#run-search")
    p.page.wait_for_selector("#results table, #results p, #job-status:has-text('Error')", timeout=120_000)
    assert "SUCCEEDED" in p.page.inner_text("#job-status"), p.page.inner_text("#job-status")


def test_convoy_search_ranks_the_partner_first_and_highlights_it(page_factory, platform):
    # GIVEN a partner 8 s behind the tracked vehicle at six cameras WHEN a convoy search is run
    p = page_factory()
    _run(p, "convoy", {"#plate": TRACKED, "#min-cameras": "3"})
    # THEN the partner is ranked first and its cameras are highlighted on the map
    assert p.page.locator("#results tbody tr td:first-child").first.inner_text() == PARTNER
    assert p.page.locator("#map .marker-partner").count() == len(platform.trajectory)
    p.shot("console-convoy")
    assert p.errors == []


def test_place_search_lists_the_vehicles_seen_at_a_camera(page_factory, platform):
    # GIVEN the first camera of the route WHEN a place-and-time search names it
    p = page_factory()
    _run(p, "place", {"#cameras": platform.trajectory[0]})
    # THEN both vehicles that passed it are listed, and nothing else
    assert set(p.page.locator("#results tbody td:first-child").all_inner_texts()) == {TRACKED, PARTNER}
    assert p.errors == []


def test_ab_search_lists_the_vehicles_seen_at_both_places(page_factory, platform):
    # GIVEN the first and the last camera of the route WHEN an A-and-B search names them
    p = page_factory()
    _run(p, "ab", {"#cameras": platform.trajectory[0], "#cameras-b": platform.trajectory[-1]})
    # THEN both vehicles that drove from A to B are listed
    assert set(p.page.locator("#results tbody td:first-child").all_inner_texts()) == {TRACKED, PARTNER}
    assert p.errors == []
