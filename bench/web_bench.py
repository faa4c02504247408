"""The web apps: what each app's first screen downloads (bytes, gzip) and how long it takes to
appear in headless Chromium against the local runtime (issue 14: "each screen answers within a
second on the local runtime; report the bundle size and the first-screen load time").

- **Bundle**: the assets ``web/dist/<app>/index.html`` loads (scripts, module preloads,
  stylesheets), summed raw and gzip-compressed (level 9, what a CDN's gzip gives at most).
- **First screen**: a fresh browser context per run (nothing cached), navigation to the login
  form visible; median of ``RUNS``. Then, signed in, the investigator's search screen and the
  watchlist manager's list (data from the local API), each from the sign-in's last click (the
  authenticator code's "Verify") to the screen ready.

Needs ``make web`` (the built apps), Playwright and Debian's Chromium; a missing one is a row
saying so (a figure that cannot be measured misses its goal).
"""

from __future__ import annotations

import gzip
import re
import statistics
import tempfile
import time
from pathlib import Path

from bench.machine import goal

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "web" / "dist"
CHROMIUM = "/usr/bin/chromium"
APPS = ("console", "patrol")
RUNS = 6
#: issue 14: each screen answers within a second on the local runtime
SCREEN_GOAL_MS = 1000.0
ASSET = re.compile(r'(?:src|href)="(/assets/[^"]+\.(?:js|css))"')


def bundle(app: str) -> tuple[int, int, list[str]]:
    """Raw and gzip bytes of the assets the app's page loads, and their names."""
    html = (DIST / app / "index.html").read_text()
    assets = sorted(set(ASSET.findall(html)))
    raw = gz = 0
    for a in assets:
        body = (DIST / a.lstrip("/")).read_bytes()
        raw += len(body)
        gz += len(gzip.compress(body, compresslevel=9))
    return raw, gz, assets


def _missing() -> str | None:
    if not (DIST / "console" / "index.html").exists():
        return "the web apps are not built (make web)"
    if not Path(CHROMIUM).exists():
        return "Chromium is not installed (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (make web)"
    return None


def _platform(workdir: Path):
    """The local runtime with the Brussels cameras, the demo's people and the web server."""
    from anpr.reads.cameras import DynamoCameraRegistry, load_seed

    from local.demo_features import PEOPLE
    from local.runtime import LocalRuntime
    from local.simulator import DEFAULT_CAMERAS
    from local.web import WebServer

    rt = LocalRuntime(workdir=workdir, prefix="anpr-webbench", concurrency=1)
    rt.start()
    cameras = [c for c in load_seed(DEFAULT_CAMERAS) if c.status == "active"]
    DynamoCameraRegistry(rt.name("table", "Cameras"), "eu-west-1").put_many(cameras)
    gw = rt.start_api()
    for user, groups in PEOPLE.items():
        rt.identity.add_user(user, *groups, zones="national")
    web = WebServer(rt.identity, gw.url, images_origin=rt.endpoint).start()
    return rt, web


def _code(identity, user: str) -> str:
    """A code of the person's authenticator not used yet (each is good once: wait for the next)."""
    while (code := identity.unused_code(user)) is None:
        time.sleep(1)
    return code


def _timed(page, ready: str, action, *args) -> float:
    """Milliseconds from ``action(*args)`` to the ``ready`` selector visible."""
    t0 = time.perf_counter()
    action(*args)
    page.wait_for_selector(ready)
    return (time.perf_counter() - t0) * 1000


def _measure(browser, web, passwords, code) -> dict[str, list[float]]:
    """``code(user)``: the person's authenticator code (the sign-in asks for it after the password)."""
    out: dict[str, list[float]] = {f"{app} first screen": [] for app in APPS}
    out |= {"console search screen": [], "console watchlist screen": [], "dom content loaded (console)": []}
    for _ in range(RUNS):
        for app in APPS:
            ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-GB")
            page = ctx.new_page()
            out[f"{app} first screen"].append(_timed(page, "#username", page.goto, f"{web.url}/{app}/"))
            if app == "console":
                out["dom content loaded (console)"].append(
                    page.evaluate(
                        "() => { const n = performance.getEntriesByType('navigation')[0];"
                        " return n.domContentLoadedEventEnd - n.startTime; }"
                    )
                )
                for user, screen, ready in (
                    ("inspector.peeters", "search", "#search-form"),
                    ("manager.janssens", "watchlist", "#entries table"),
                ):
                    page.fill("#username", user)
                    page.fill("#password", passwords[user])
                    page.click("#login")
                    page.fill("#code", code(user))
                    out[f"console {screen} screen"].append(_timed(page, ready, page.click, "#verify"))
                    page.click("#logout")
                    page.wait_for_selector("#username")
            ctx.close()
    return out


def run() -> list[dict]:
    rows = []
    for app in APPS:
        if not (DIST / app / "index.html").exists():
            rows.append(
                {
                    "name": f"{app}: first-screen bundle",
                    "value": None,
                    "unit": "bytes gzip",
                    "notes": "the web apps are not built (make web)",
                }
            )
            continue
        raw, gz, assets = bundle(app)
        rows.append(
            {
                "name": f"{app}: first-screen bundle",
                "value": gz,
                "unit": "bytes gzip",
                "notes": f"{raw:,} bytes raw; {', '.join(a.removeprefix('/assets/') for a in assets)}",
            }
        )
    why = _missing()
    if why:
        return rows + [
            {
                "name": "first screen in Chromium",
                "value": None,
                "unit": "ms",
                **goal(None, SCREEN_GOAL_MS, "ms"),
                "notes": why,
            }
        ]
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        rt, web = _platform(Path(tmp))
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=CHROMIUM,
                    headless=True,
                    args=["--headless", "--no-sandbox", "--disable-gpu"],
                )
                timings = _measure(browser, web, rt.identity.passwords, lambda u: _code(rt.identity, u))
                browser.close()
        finally:
            web.stop()
            rt.stop()
    for name, samples in timings.items():
        median = statistics.median(samples)
        rows.append(
            {
                "name": name,
                "value": round(median),
                "unit": "ms (median)",
                **goal(median, SCREEN_GOAL_MS, "ms"),
                "notes": f"{len(samples)} runs, fresh browser context each; max {max(samples):.0f} ms",
            }
        )
    return rows  # fmt: skip


if __name__ == "__main__":
    from bench.machine import print_table

    print_table("web_bench", run())
