"""Browser tests: the built web apps on the local runtime, driven in Debian's headless Chromium
by Playwright for Python. They skip, saying why, where Chromium, Playwright or the built apps
(``make web``) are missing; ``make test`` installs and builds all three."""

from __future__ import annotations

import io
import json
import os
import random
import re
import time
import urllib.request
from pathlib import Path

import pytest
from anpr.alerts.settings import AlertMatchSettings
from anpr.alerts.wiring import alert_service, settings_from
from anpr.kernel import platform as spec
from anpr.kernel.clock import expires_at_s
from anpr.ocr.render.plate import make_plate
from anpr.reads.cameras import DynamoCameraRegistry, load_seed
from anpr.reads.models import PlateRead
from anpr.reads.repository import DynamoPlateReadRepository

from local.demo_features import PEOPLE
from local.live import timed_waits_hang
from local.runtime import LocalRuntime
from local.simulator import DEFAULT_CAMERAS
from local.web import DIST, WebServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
#: `ANPR_SCREENSHOTS=docs/screenshots` refreshes the README's pictures; by default they stay out of git
SCREENSHOTS = ROOT / os.environ.get("ANPR_SCREENSHOTS", ".local-runtime/screenshots")
#: the vehicle the investigator follows, the listed vehicles the patrol is alerted to
TRACKED = "1ABC234"
PARTNER = "2DEF567"
LISTED = ("2XYZ987", "1KLM456")
ZONE = "BXL-5339"
OTHER_ZONE = "BXL-5340"
OTHER_OFFICER = "officer.peeters"
OPS = "ops.wouters"
#: a second officer of ZONE: both get every alert of the zone live (issue 13)
SECOND_OFFICER = "officer.maes"


def _require_browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install -y chromium; `make test` installs it)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed (`make web` installs it)")
    if not (DIST / "index.html").exists():
        pytest.skip("the web apps are not built (`make web`)")
    if timed_waits_hang():
        pytest.skip("under libfaketime the live channel's and Playwright's timed waits never end")


def _set_zones(rt: LocalRuntime, user: str, *zones: str) -> None:
    """The person's police zones (ID-token claim ``custom:zones``), through the user pool's API."""
    rt.identity.cognito.admin_update_user_attributes(
        UserPoolId=rt.identity.pool_id,
        Username=user,
        UserAttributes=[{"Name": "custom:zones", "Value": ",".join(zones)}],
    )


def _crop_png(text: str) -> bytes:
    img, *_ = make_plate(text, "BE", random.Random(1))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _overview_jpeg(text: str) -> bytes:
    """A camera's overview: the plate on a grey street-coloured frame (what a snapshot shows)."""
    from PIL import Image

    plate, *_ = make_plate(text, "BE", random.Random(2))
    frame = Image.new("RGB", (640, 360), (96, 100, 104))
    frame.paste(plate.convert("RGB"), (320 - plate.width // 2, 250 - plate.height // 2))
    buf = io.BytesIO()
    frame.save(buf, format="JPEG", quality=80)
    return buf.getvalue()


def _read(cam, plate: str, capture_ms: int, bucket: str, crop_key: str | None = None) -> PlateRead:
    return PlateRead(
        read_id=f"{cam.camera_id}-{plate}-{capture_ms}",
        plate=plate,
        raw_text=plate,
        confidence=0.97,
        country="BE",
        bbox=(10, 10, 120, 40),
        camera_id=cam.camera_id,
        zone=cam.zone,
        capture_ms=capture_ms,
        lat=cam.lat,
        lon=cam.lon,
        heading=cam.heading,
        snapshot_bucket=bucket,
        snapshot_key=f"snapshots/{cam.camera_id}/{capture_ms}.jpg",
        crop_key=crop_key,
        ingested_ms=capture_ms + 500,
        expires_at=expires_at_s(capture_ms, 90),
    )


class Platform:
    def __init__(self, rt: LocalRuntime, web: WebServer, trajectory: list[str]):
        self.rt, self.web, self.trajectory = rt, web, trajectory
        self.passwords = rt.identity.passwords

    def code(self, user: str) -> str:
        """The person's authenticator code, computed from their secret; a code is good once, so
        where this step's was used by an earlier sign-in, the next one (waiting for it if need be)."""
        while (code := self.rt.identity.unused_code(user)) is None:
            time.sleep(1)
        return code

    def api(self, user: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        req = urllib.request.Request(
            self.rt.gateway.url + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={
                "Authorization": f"Bearer {self.rt.identity.login(user)}",
                "Content-Type": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")


@pytest.fixture(scope="session")
def platform(tmp_path_factory):
    """The local runtime with the Brussels cameras, the demo's people, one vehicle's reads along
    the R0 and two listed vehicles seen in zone BXL-5339 (alerts raised by the real alert service)."""
    _require_browser()
    rt = LocalRuntime(workdir=tmp_path_factory.mktemp("web"), prefix="anpr-web", concurrency=1)
    rt.start()
    try:
        cameras = [c for c in load_seed(DEFAULT_CAMERAS) if c.status == "active"]
        DynamoCameraRegistry(rt.name("table", "Cameras"), "eu-west-1").put_many(cameras)
        gw = rt.start_api()
        for user, groups in PEOPLE.items():
            rt.identity.add_user(user, *groups)
        rt.identity.add_user(OTHER_OFFICER, "patrol")
        rt.identity.add_user(OPS, "ops")  # the console's camera screen
        _set_zones(rt, "officer.dubois", ZONE)
        _set_zones(rt, OTHER_OFFICER, OTHER_ZONE)
        rt.identity.add_user(SECOND_OFFICER, "patrol")
        _set_zones(rt, SECOND_OFFICER, ZONE)
        rt.start_live()  # the live channel: WebSocket endpoint, fan-out, push sink
        _set_zones(rt, "supervisor.claes", ZONE)  # the follow-up view of the zone's shifts
        bucket = rt.name("bucket", "Snapshots")
        now_ms = int(time.time() * 1000)
        # six consecutive R0 cameras, clockwise: a plausible drive round the ring
        ring = [c for c in cameras if c.road == "R0" and c.name.endswith("(clockwise)")]
        route = sorted(ring, key=lambda c: float(re.search(r"km ([\d.]+)", c.name).group(1)))[3:9]
        reads = [_read(c, TRACKED, now_ms - 3_600_000 + i * 90_000, bucket) for i, c in enumerate(route)]
        # its convoy partner, 8 s behind it at every camera
        reads += [
            _read(c, PARTNER, now_ms - 3_600_000 + i * 90_000 + 8_000, bucket) for i, c in enumerate(route)
        ]
        in_zone = [c for c in cameras if c.zone == ZONE]
        s3 = rt.client("s3")
        repo = DynamoPlateReadRepository(rt.name("table", "Reads"), "eu-west-1")
        repo.put_many(reads)
        for r in reads:  # the overview images an investigator may open from the results
            s3.put_object(
                Bucket=bucket, Key=r.snapshot_key, Body=_overview_jpeg(r.plate), ContentType="image/jpeg"
            )
        expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now_ms / 1000 + 30 * 86400))
        p = Platform(rt, None, [c.camera_id for c in route])
        for plate in LISTED:
            status, body = p.api(
                "manager.janssens",
                "POST",
                "/watchlist",
                {
                    "plate": plate,
                    "category": "stolen_vehicle",
                    "reason": "Stolen in Anderlecht, PV-BRU-2026-00077",
                    "owning_unit": "PZ Brussel-Zuid",
                    "zones": [ZONE],
                    "expires": expires,
                    "handling_instructions": "Do not intercept alone; call dispatch.",
                },
            )
            assert status in (200, 201), body
        # the listed vehicles pass after they were listed (an entry is valid from its creation)
        time.sleep(0.05)
        seen_ms = int(time.time() * 1000)
        listed_reads = []
        for i, plate in enumerate(LISTED):
            crop_key = f"crops/{plate}.png"
            s3.put_object(Bucket=bucket, Key=crop_key, Body=_crop_png(plate), ContentType="image/png")
            listed_reads.append(_read(in_zone[i], plate, seen_ms + i * 1000, bucket, crop_key))
        repo.put_many(listed_reads)
        ingest = next(f for f in spec.FUNCTIONS if f.id == "Ingest")
        hook = alert_service(settings_from(AlertMatchSettings, rt.function_env(ingest)))
        assert len(hook.on_reads(listed_reads)) == len(LISTED)
        p.web = WebServer(rt.identity, gw.url, images_origin=rt.endpoint).start()
        rt.live.expose(p.web)
        rt.run_event_sources()
        yield p
        p.web.stop()
    finally:
        rt.stop()


@pytest.fixture(scope="session")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Page:
    """A fresh browser context and page that records console errors and failed requests."""

    def __init__(self, browser, platform: Platform, mobile: bool = False):
        size = {"width": 412, "height": 860} if mobile else {"width": 1400, "height": 900}
        self.context = browser.new_context(viewport=size, locale="en-GB", service_workers="allow")
        self.page = self.context.new_page()
        self.platform = platform
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, path: str, lang: str = "en") -> None:
        self.page.goto(self.platform.web.url + path)
        self.page.select_option("#lang", lang)

    def login(self, user: str, password: str | None = None) -> None:
        """Sign in as a person: password, then (when it is accepted) their authenticator's code."""
        self.page.fill("#username", user)
        self.page.fill("#password", password or self.platform.passwords[user])
        self.page.click("#login")
        self.page.wait_for_selector("#code, .login .error:not(:empty)")
        if self.page.query_selector("#code"):
            self.page.fill("#code", self.platform.code(user))
            self.page.click("#verify")

    def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def run_search(
    p: Page, user: str, search_type: str, fields: dict[str, str], case_ref: str, reason: str
) -> None:
    """Sign in to the console as ``user`` and run one search of the last 2 hours, ``fields``
    (selector → value) typed in; once its results (or an error) show, assert it SUCCEEDED."""
    p.open("/console/")
    p.login(user)
    p.page.wait_for_selector("#search-form")
    p.page.select_option("#search-type", search_type)
    for selector, value in fields.items():
        p.page.fill(selector, value)
    p.page.fill("#case-ref", case_ref)
    p.page.fill("#reason", reason)
    p.page.fill("#from", time.strftime("%Y-%m-%dT%H:%M", time.localtime(time.time() - 7200)))
    p.page.click("#run-search")
    p.page.wait_for_selector("#results table, #results p, #job-status:has-text('Error')", timeout=120_000)
    assert "SUCCEEDED" in p.page.inner_text("#job-status"), p.page.inner_text("#job-status")


@pytest.fixture
def page_factory(browser, platform):
    pages: list[Page] = []

    def make(mobile: bool = False) -> Page:
        pages.append(Page(browser, platform, mobile))
        return pages[-1]

    yield make
    for p in pages:
        p.context.close()
