"""The console's search results and ops figures in a real browser (issue 14): each row's plate
crop (lazy, with alt text, audited once per page), a convoy's target trajectory under its
partner, one time slider over both, per-camera upload→read latency against the goal on the ops screen."""

from __future__ import annotations

import time

import pytest

from tests.web.conftest import OPS, _crop_png, _read, run_search

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-runtime")]

#: a vehicle of this file only, and its convoy partner 6 s behind it (crops stored for both)
CROPPED, CROPPED_PARTNER = "1CRP246", "2CRP357"
INVESTIGATOR = "inspector.peeters"


@pytest.fixture(scope="module")
def cropped(platform):
    """Six reads of CROPPED along the R0 after the test route, 40 minutes ago (the last without a crop, as a
    camera-made read may be) and its partner's six, each crop stored where ingest puts it."""
    from anpr.reads.cameras import DynamoCameraRegistry
    from anpr.reads.repository import DynamoPlateReadRepository

    rt = platform.rt
    bucket = rt.name("bucket", "Snapshots")
    cams = {c.camera_id: c for c in DynamoCameraRegistry(rt.name("table", "Cameras"), "eu-west-1").list()}
    # the next six clockwise cameras of the R0 after the shared fixture's route: the place and
    # A-and-B tests of test_console.py expect only their two vehicles at those cameras
    route = [cams[f"BXL-{int(c[4:]) + 2 * len(platform.trajectory):04d}"] for c in platform.trajectory]
    start = int(time.time() * 1000) - 40 * 60_000
    reads = []
    for plate, lag_ms in ((CROPPED, 0), (CROPPED_PARTNER, 6_000)):
        for i, cam in enumerate(route):
            t = start + i * 90_000 + lag_ms
            crop = (
                None
                if (plate == CROPPED and i == len(route) - 1)
                else f"crops/{cam.camera_id}/{t}_plate0.png"
            )
            reads.append(_read(cam, plate, t, bucket, crop))
    s3 = rt.client("s3")
    for r in reads:
        if r.crop_key:
            s3.put_object(Bucket=bucket, Key=r.crop_key, Body=_crop_png(r.plate), ContentType="image/png")
    DynamoPlateReadRepository(rt.name("table", "Reads"), "eu-west-1").put_many(reads)
    return reads


def _search(p, search_type: str, plate: str, **fields: str) -> None:
    """Sign in as the investigator (the conftest's login) and run one search of the last 2 hours."""
    reason = "Armed robbery, Brussels ring; tracing the vehicle and its escort"
    run_search(p, INVESTIGATOR, search_type, {"#plate": plate, **fields}, "PV-BRU-2026-04321", reason)


def _loaded(p, selector: str) -> list[int]:
    """The natural widths of the images ``selector`` finds once each has loaded (0: broken)."""
    p.page.wait_for_function(
        "s => [...document.querySelectorAll(s)].every(i => i.complete)", arg=selector, timeout=20_000
    )
    return p.page.locator(selector).evaluate_all("imgs => imgs.map(i => i.naturalWidth)")


def test_trajectory_rows_show_their_plate_crop_lazily_and_the_page_is_audited_once(
    page_factory, platform, cropped
):
    from anpr.accountability.adapters.dynamo import DynamoAuditTrail
    from anpr.kernel.clock import system_clock

    trail = DynamoAuditTrail(platform.rt.name("table", "AuditTrail"), "eu-west-1", clock=system_clock)
    mine = [r for r in cropped if r.plate == CROPPED]
    # GIVEN six reads of a vehicle, five with the crop ingest stored
    p = page_factory()
    # WHEN the investigator runs a trajectory search
    _search(p, "trajectory", CROPPED)
    # THEN each row's last cell is its plate crop: lazy, described, loaded through the presigned link
    rows = p.page.locator("#results tbody tr")
    assert rows.count() == len(mine)
    imgs = p.page.locator("#results tbody td.crop-cell img.plate-crop")
    assert imgs.count() == len(mine) - 1
    assert set(imgs.evaluate_all("imgs => imgs.map(i => i.loading)")) == {"lazy"}
    alts = imgs.evaluate_all("imgs => imgs.map(i => i.alt)")
    assert all(a.startswith(f"Plate {CROPPED} read by camera ") for a in alts)
    assert [a.split("camera ")[1].split(" ")[0] for a in alts] == [r.camera_id for r in mine][:-1]
    assert all(w > 0 for w in _loaded(p, "#results img.plate-crop"))  # the CSP lets the store's images in
    # AND the read without a stored crop says so
    assert rows.last.locator("td.crop-cell").inner_text() == "no image"
    # AND the page is one audit record that names the five reads whose crops it showed
    viewed = [
        r.event
        for r in trail.records()
        if r.event.action == "search.results_viewed" and CROPPED in r.event.plates
    ]
    assert len(viewed) == 1
    assert viewed[0].detail["crops"] == sorted(r.read_id for r in mine if r.crop_key)
    p.shot("console-results-crops")
    assert p.errors == []


def test_convoy_map_draws_the_targets_own_trajectory_under_the_highlighted_partner(
    page_factory, platform, cropped
):
    # GIVEN a partner 6 s behind the vehicle at six cameras
    p = page_factory()
    # WHEN a convoy search on the vehicle is run
    _search(p, "convoy", CROPPED, **{"#min-cameras": "3"})
    # THEN the partner is ranked first, with its crop
    first = p.page.locator("#results tbody tr").first
    assert first.locator("td").nth(1).inner_text() == CROPPED_PARTNER
    assert (
        first.locator("img.plate-crop")
        .get_attribute("alt")
        .startswith(f"Plate {CROPPED_PARTNER} read by camera ")
    )
    assert _loaded(p, "#results tbody tr:first-child img.plate-crop")[0] > 0
    # AND on the map: the target's own trajectory (its six sightings, one line in time order) and
    # the partner's, drawn distinct (partner dashed, highlighted dots)
    assert p.page.locator("#map path.line-target").count() == 1
    assert p.page.locator("#map .marker-target").count() == len(platform.trajectory)
    assert p.page.locator("#map path.line-partner").count() == 1
    assert p.page.locator("#map .marker-partner").count() == len(platform.trajectory)
    assert CROPPED in p.page.inner_text("#map-caption-target")
    assert CROPPED_PARTNER in p.page.inner_text("#map-caption-partner")
    # the target's line starts where its first sighting is (time order: M at the first camera)
    start = p.page.locator("#map path.line-target").get_attribute("d").split("L")[0]
    first_dot = p.page.locator("#map .marker-target circle").first
    assert start == f"M{float(first_dot.get_attribute('cx')):.1f},{float(first_dot.get_attribute('cy')):.1f}"
    p.shot("console-convoy-target")
    assert p.errors == []


def _drawn(p) -> tuple[int, int, int]:
    """The convoy map's target rings, partner dots and lines drawn (target and partner)."""
    return (
        p.page.locator("#map .marker-target").count(),
        p.page.locator("#map .marker-partner").count(),
        p.page.locator("#map path.line-target, #map path.line-partner").count(),
    )


def test_convoy_map_has_one_time_slider_over_the_target_and_the_partner(page_factory, platform, cropped):
    six = len(platform.trajectory)
    # GIVEN a convoy search on the vehicle whose partner is 6 s behind at six cameras
    p = page_factory()
    _search(p, "convoy", CROPPED, **{"#min-cameras": "3"})
    assert p.page.locator("#results tbody tr").first.locator("td").nth(1).inner_text() == CROPPED_PARTNER
    # THEN the map has a time slider over both vehicles' sightings merged: at the end, all drawn
    slider = p.page.locator("#time-slider")
    assert slider.get_attribute("max") == str(2 * six) and slider.input_value() == str(2 * six)
    assert _drawn(p) == (six, six, 2)
    assert f"{2 * six} of {2 * six} sightings" in p.page.inner_text("#time-slider-text")
    # WHEN the slider goes back to the first sighting (keyboard: Home)
    slider.focus()
    p.page.keyboard.press("Home")
    # THEN the map shows the target's first sighting only, no line, and the caption says so
    assert _drawn(p) == (1, 0, 0)
    assert f"(1 of {2 * six} sightings)" in p.page.inner_text("#time-slider-text")
    # WHEN one step on (arrow key) THEN the partner's first sighting, 6 s later, is drawn too
    p.page.keyboard.press("ArrowRight")
    assert _drawn(p) == (1, 1, 0)
    # WHEN at the fifth sighting THEN three of the target, two of the partner, both lines
    for _ in range(3):
        p.page.keyboard.press("ArrowRight")
    assert _drawn(p) == (3, 2, 2)
    assert f"(5 of {2 * six} sightings)" in p.page.inner_text("#time-slider-text")
    p.shot("console-convoy-slider")
    # WHEN the slider goes to the end (End) THEN both tracks whole again
    p.page.keyboard.press("End")
    assert _drawn(p) == (six, six, 2)
    # AND choosing a row's "Map" starts the slider again at the last sighting
    p.page.keyboard.press("Home")
    assert _drawn(p) == (1, 0, 0)
    p.page.locator("#results tbody tr").first.locator("button.on-map").click()
    assert p.page.locator("#time-slider").input_value() == str(2 * six)
    assert _drawn(p) == (six, six, 2)
    assert p.errors == []


def test_ops_sees_each_cameras_upload_to_read_latency_against_the_goal(page_factory, platform):
    from anpr.ingest.hooks import UploadLatency
    from anpr.networks.activity import DynamoActivityStore

    # GIVEN three cameras whose reads took ≤ 1 s, about 4 s and about 25 s from upload to read
    rt = platform.rt
    fast, slow, late = platform.trajectory[:3]
    store = DynamoActivityStore(
        rt.name("table", "CameraActivity"), "eu-west-1", every_ms=1, client=rt.client("dynamodb")
    )
    now = int(time.time() * 1000)
    for camera_id, latencies in (
        (fast, [300, 400, 450, 800]),
        (slow, [1_500, 3_500, 4_000]),
        (late, [9_000, 25_000]),
    ):
        for i, ms in enumerate(latencies):
            store.record(camera_id, "", now - 120_000 + i, UploadLatency(ms, now - 60_000 + i))
    # WHEN ops opens the camera screen
    p = page_factory()
    p.open("/console/#ops", lang="en")
    p.login(OPS)
    p.page.wait_for_selector("#ops-latency")
    # THEN each camera's p50 / p95 is listed, slowest first, coloured against the 2 s goal
    rows = {r.get_attribute("data-camera"): r for r in p.page.locator("#ops-latency tbody tr").all()}
    assert [c for c in rows if c in (fast, slow, late)] == [late, slow, fast]
    assert rows[fast].locator("td[data-latency]").get_attribute("data-latency") == "ok"
    assert rows[fast].locator("td[data-latency]").inner_text() == "≤ 500 ms / ≤ 1 s"
    assert rows[slow].locator("td[data-latency]").get_attribute("data-latency") == "slow"
    assert rows[late].locator("td[data-latency]").inner_text() == "≤ 10 s / ≤ 30 s"
    assert "Goal: p95 ≤ 2 s" in p.page.inner_text("#ops-latency-goal")
    # AND on the map the slow and the late camera carry a ring in the goal's colours
    assert p.page.locator("#ops-map .latency-ring-late").count() >= 1
    assert p.page.locator("#ops-map .latency-ring-slow").count() >= 1
    p.shot("console-ops-latency")
    assert p.errors == []
