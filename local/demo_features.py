"""The demo's people: a watchlist manager lists vehicles, patrol zones receive alerts, an
investigator searches, an auditor checks who looked at a plate, supervisors get probes.

Everything goes through the local API gateway with each person's own Cognito login, so the
demo exercises the same authentication, roles, justification rules and audit trail as AWS.
"""

from __future__ import annotations

import json
import re
import statistics
import time
import urllib.error
import urllib.request
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from anpr.alerts.feed import drain_queue
from anpr.alerts.settings import AlertTuning
from anpr.alerts.spec import DISPATCH_QUEUE
from anpr.reads.plates import CONFUSIONS

from local.runtime import LocalRuntime

PEOPLE = {
    "manager.janssens": ("watchlist_manager",),
    "officer.dubois": ("patrol",),
    "inspector.peeters": ("investigator",),
    "auditor.maes": ("auditor",),
    "supervisor.claes": ("supervisor",),
    "ops.lambert": ("ops",),  # the console's camera health, quarantine and alarms
}
#: each person's police zones and unit (ID-token claims custom:zones / custom:unit); patrol
#: officers get the busiest zone of the seeded cameras, "national" is national scope
UNITS = {
    "manager.janssens": ("national", "DGR-DRI"),
    "inspector.peeters": ("national", "PJF-BRUXELLES"),
    "auditor.maes": ("national", "COC"),
    "supervisor.claes": ("national", "PJF-BRUXELLES"),
    "ops.lambert": ("national", "DGR-DRI"),
}


def profile_of(user: str, zones: list[str]) -> dict[str, str]:
    """``add_user`` keyword arguments (zones, unit) for one of ``PEOPLE``; ``zones``: the
    seeded cameras' zones, the first one the patrol officer's."""
    if user in UNITS:
        zone, unit = UNITS[user]
        return {"zones": zone, "unit": unit}
    return {"zones": zones[0], "unit": f"PZ-{zones[0]}"} if zones else {}


CASE = {"case_ref": "PV-BRU-2026-01234", "reason": "Car-jacking series, Brussels north; vehicle tracing"}


def call_api(
    url: str, token: str, method: str, path: str, body: dict | None = None, timeout_s: float = 120
) -> tuple[int, dict]:
    """One JSON request to the local API gateway as the person logged in: (status, body), the
    refusals (4xx) included."""
    req = urllib.request.Request(
        url + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout_s) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


class Api:
    def __init__(self, rt: LocalRuntime):
        self.rt = rt
        self.url = rt.gateway.url
        self.tokens = {user: rt.identity.login(user) for user in PEOPLE}

    def call(self, user: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        return call_api(self.url, self.tokens[user], method, path, body)


def setup_people(rt: LocalRuntime, zones: list[str] = ("BXL-5339",)) -> Api:
    rt.start_api()
    for user, groups in PEOPLE.items():
        rt.identity.add_user(user, *groups, **profile_of(user, list(zones)))
    return Api(rt)


#: the alert service's default freshness limit (anpr.alerts.settings.AlertTuning)
MAX_AGE_MIN = AlertTuning.model_fields["alert_max_age_minutes"].default


def _lookalike(plate: str) -> str | None:
    """The plate with one character swapped for its look-alike (8→B, 0→O...)."""
    for i, ch in enumerate(plate):
        if ch in CONFUSIONS and ch.isdigit():
            return plate[:i] + CONFUSIONS[ch][0] + plate[i + 1 :]
    return None


def seed_watchlist(api: Api, truth, count: int = 3) -> list[dict]:
    """List simulated vehicles: national, one zone only, one as a likely misread, then more
    national ones up to ``count``."""
    by_vehicle = defaultdict(list)
    for s in truth.sightings:
        by_vehicle[s.vehicle_id].append(s)
    candidates = sorted(
        (v for v in truth.vehicles if len(by_vehicle[v.vehicle_id]) >= 3 and not v.convoy_of),
        key=lambda v: v.vehicle_id,
    )
    now = datetime.now(UTC)
    common = {
        "valid_from": (now - timedelta(hours=6)).isoformat(),
        "expires": (now + timedelta(days=30)).isoformat(),
        "owning_unit": "PJF Bruxelles",
    }
    plans = []
    misread_done = False
    for v in candidates:
        if len(plans) >= count:
            break
        if not plans:
            plans.append((v, v.plate, "stolen_vehicle", "high", ["national"], "exact"))
        elif len(plans) == 1:
            zone = next(s for s in by_vehicle[v.vehicle_id]).camera_id
            plans.append((v, v.plate, "wanted_person", "high", [_zone_of(api, zone)], "exact"))
        elif not misread_done and _lookalike(v.plate):
            misread_done = True
            plans.append((v, _lookalike(v.plate), "missing_person", "high", ["national"], "possible_misread"))
        elif misread_done:
            plans.append((v, v.plate, "stolen_vehicle", "medium", ["national"], "exact"))
    listed = []
    for v, plate, category, priority, zones, expect in plans:
        status, body = api.call(
            "manager.janssens",
            "POST",
            "/watchlist",
            {
                **common,
                "plate": plate,
                "category": category,
                "priority": priority,
                "zones": zones,
                "reason": f"demo: {category.replace('_', ' ')}",
                "handling_instructions": "Do not intervene alone; confirm the plate visually first.",
            },
        )
        assert status == 201, (status, body)
        listed.append(
            {
                "entry_id": body.get("entry_id"),
                "vehicle": v.vehicle_id,
                "vehicle_plate": v.plate,
                "listed_plate": plate,
                "zones": zones,
                "expect": expect,
                "truth_sightings": len(by_vehicle[v.vehicle_id]),
            }
        )
    return listed


_camera_zone: dict[str, str] = {}


def _zone_of(api: Api, camera_id: str) -> str:
    if not _camera_zone:
        _, body = api.call("officer.dubois", "GET", "/cameras")
        _camera_zone.update({c["camera_id"]: c["zone"] for c in body["cameras"]})
    return _camera_zone[camera_id]


def collect_alerts(
    rt: LocalRuntime,
    api: Api,
    listed: list[dict],
    uploaded_at: dict[str, float],
    reads: list[dict],
    window_ms: int = 600_000,
) -> dict:
    sqs = rt.client("sqs")
    dispatch = drain_queue(sqs, rt.prov.queue_urls[DISPATCH_QUEUE])
    key_of_read = {r["read_id"]["S"]: r["snapshot_key"]["S"] for r in reads}
    first_sends = [m for m in dispatch if m.get("send") == 1]
    latencies = [
        m["_sent_to_queue_ms"] / 1000 - uploaded_at[key_of_read[m["read_id"]]]
        for m in first_sends
        if m.get("read_id") in key_of_read and key_of_read[m["read_id"]] in uploaded_at
    ]
    rows = []
    for entry in listed:
        mine = [m for m in dispatch if m["entry_plate"] == entry["listed_plate"]]
        alerts = sorted({m["alert_id"] for m in mine})
        # the zones each alert was delivered to: every zone's feed for a national entry's alert,
        # else the zones it was seen in (zones are data: no queue per zone)
        zones = sorted({"every zone" if m.get("national") else m["zone"] for m in mine})
        # the officer opens each alert (audited as "alert viewed"): sightings so far, match kind
        viewed = [api.call("officer.dubois", "GET", f"/alerts/{a}")[1] for a in alerts]
        truth_sightings = entry.get("truth_sightings", 0)
        own_reads = [r for r in reads if r["plate"]["S"] == entry["vehicle_plate"]]
        national = "national" in entry["zones"]
        in_zones = [r for r in own_reads if national or r.get("zone", {}).get("S") in entry["zones"]]
        # dedupe is per listed entry within a sliding window: a gap longer than the window
        # between two sightings rightly starts a new alert
        times = sorted(x["capture_ms"] for v in viewed for x in v.get("sightings", []))
        gaps = sum(1 for a, b in pairwise(times) if b - a > window_ms)
        rows.append(
            {
                **entry,
                "alerts": len(alerts),
                "expected_alerts": (1 + gaps) if times else 0,
                "match_kinds": sorted({v.get("match_kind", "?") for v in viewed}),
                "delivered_to": zones,
                "sightings": sum(v.get("sighting_count", 0) for v in viewed),
                "truth_sightings": truth_sightings,
                # what lies between the simulator's passages and the alerts' sightings: reads that
                # carry the vehicle's plate, and of those the ones in the entry's zones
                "read_as_plate": len(own_reads),
                "dedupe_window_min": window_ms // 60_000,
                "read_in_zones": len(in_zones),
                # a capture older than this when matched is a late hit: recorded, never sent
                "max_age_min": MAX_AGE_MIN,
                "read_in_zones_fresh": sum(
                    1
                    for r in in_zones
                    if int(r["ingested_ms"]["N"]) - int(r["capture_ms"]["N"]) <= MAX_AGE_MIN * 60_000
                ),
            }
        )
    return {
        "entries": rows,
        "latency_p50_s": statistics.median(latencies) if latencies else None,
        "latency_p95_s": statistics.quantiles(latencies, n=20, method="inclusive")[-1]
        if len(latencies) >= 2
        else None,
        "latencies": latencies,
    }


def _wait_job(api: Api, job_id: str, timeout_s: float = 180) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        _, job = api.call("inspector.peeters", "GET", f"/searches/{job_id}")
        if job.get("status") in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return job
        time.sleep(0.5)
    return job


def _search(api: Api, type_: str, params: dict) -> tuple[dict, list[dict]]:
    status, job = api.call(
        "inspector.peeters", "POST", "/searches", {"type": type_, "params": params, **CASE}
    )
    assert status == 202, (status, job)
    job = _wait_job(api, job["job_id"])
    items: list[dict] = []
    page = 1
    while job.get("status") == "SUCCEEDED" and page:
        _, res = api.call(
            "inspector.peeters", "GET", f"/searches/{job['job_id']}/results?page={page}&page_size=1000"
        )
        items += res.get("items", [])
        page = res.get("next_page")
    return job, items


def run_searches(api: Api, truth, reads: list[dict]) -> dict:
    start_ms = truth.now_ms - 4 * 3_600_000
    end_ms = truth.now_ms + 60_000
    stored = [(r["plate"]["S"], r["snapshot_key"]["S"], r["camera_id"]["S"]) for r in reads]
    truth_by_key = {s.key: s for s in truth.sightings if s.uploaded}
    out = {}

    # 1. trajectory of the vehicle with the most sightings
    by_vehicle = defaultdict(list)
    for s in truth.sightings:
        if s.uploaded:
            by_vehicle[s.vehicle_id].append(s)
    vid, sightings = max(by_vehicle.items(), key=lambda kv: (len(kv[1]), kv[0]))
    plate = sightings[0].plate
    job, items = _search(api, "trajectory", {"plate": plate, "start_ms": start_ms, "end_ms": end_ms})
    # one passage per snapshot (a plate read twice in one image is still one passage)
    passages = {i.get("snapshot_key") or i["read_id"]: i for i in items}.values()
    found = [i["camera_id"] for i in sorted(passages, key=lambda i: i["capture_ms"])]
    expected_all = [s.camera_id for s in sorted(sightings, key=lambda s: s.capture_ms)]
    read_keys = {k for p, k, _ in stored if p == plate}
    expected_read = [s.camera_id for s in sorted(sightings, key=lambda s: s.capture_ms) if s.key in read_keys]
    out["trajectory"] = {
        "plate": plate,
        "status": job["status"],
        "found": found,
        "truth": expected_all,
        "truth_read_correctly": expected_read,
        "exact_in_order": found == expected_read,
        "recall_vs_truth": len(set(found) & set(expected_all)) / len(expected_all),
        "precision_vs_truth": (
            sum(
                1
                for i in items
                if truth_by_key.get(i.get("snapshot_key"))
                and truth_by_key[i["snapshot_key"]].vehicle_id == vid
            )
            / len(items)
        )
        if items
        else 0.0,
    }

    # 2. partial plate: the first three characters of that plate, then anything
    pattern = plate[:3] + "*"
    job, items = _search(api, "partial", {"pattern": pattern, "start_ms": start_ms, "end_ms": end_ms})
    rx = re.compile("^" + re.escape(plate[:3]) + ".*$")
    expected = sorted({p for p, _, _ in stored if rx.match(p)})
    got = sorted({i["plate"] for i in items})
    out["partial"] = {
        "pattern": pattern,
        "status": job["status"],
        "found": got,
        "expected": expected,
        "all_and_only": got == expected,
    }

    # 3. convoy: the simulated target; its partner should rank first
    if truth.convoys:
        convoy = truth.convoys[0]
        plate_of = {v.vehicle_id: v.plate for v in truth.vehicles}
        job, items = _search(
            api,
            "convoy",
            {
                "plate": plate_of[convoy.target],
                "start_ms": start_ms,
                "end_ms": end_ms,
                "window_s": 60,
                "min_cameras": 3,
                "control_days": 0,
            },
        )
        ranked = [i["plate"] for i in sorted(items, key=lambda i: i["rank"])]
        # how many cameras read both cars within the window: below min_cameras the reads
        # themselves (OCR misses) leave nothing for any convoy search to find
        seen = defaultdict(list)
        for r in reads:
            seen[(r["plate"]["S"], r["camera_id"]["S"])].append(int(r["capture_ms"]["N"]))
        target, partner = plate_of[convoy.target], plate_of[convoy.partner]
        together = {
            cam
            for (plate_, cam), times in seen.items()
            if plate_ == target
            and any(abs(t - u) <= 60_000 for t in times for u in seen.get((partner, cam), []))
        }
        out["convoy"] = {
            "target": target,
            "partner": partner,
            "status": job["status"],
            "error": job.get("error"),
            "top": ranked[:3],
            "cameras_read_together": len(together),
            "partner_first": bool(ranked) and ranked[0] == partner,
        }
    return out


def audit_checks(api: Api, rt: LocalRuntime, plate: str) -> dict:
    status, body = api.call(
        "auditor.maes",
        "GET",
        f"/audit/plates/{plate}/accesses?case_ref=COC-2026-077&reason=oversight+own+initiative+check",
    )
    accesses = body.get("accesses", body.get("items", []))
    actions = sorted({(a.get("actor_name") or a.get("actor_id"), a.get("action")) for a in accesses})
    # the daily probe draw (EventBridge Scheduler on AWS), run now over the demo's "day"
    rt.hosts["Probes"].invoke({"job": "draw", "period_days": 1, "end_ms": int(time.time() * 1000) + 1000})
    _, probes = api.call("supervisor.claes", "GET", "/probes")
    _, verify = api.call("auditor.maes", "GET", "/audit/verify")
    return {
        "status": status,
        "accesses": actions,
        "probes": len(probes.get("probes", probes.get("items", []))),
        "verify": verify,
    }


def report(say, alerts: dict, searches: dict, audit: dict) -> None:
    say("\n== watchlist alerts (patrol zones) ==")
    for e in alerts["entries"]:
        national = "national" in e["zones"]
        scope = "national" if national else f"zone {','.join(e['zones'])} only"
        where = "any zone" if national else f"zone {','.join(e['zones'])}"
        plate = e["vehicle_plate"]
        how = "listed as it is" if e["listed_plate"] == plate else f"listed as look-alike {e['listed_plate']}"
        say(
            f"  vehicle {plate:8s} ({how}, {scope}) → {e['alerts']} alert(s), {e['sightings']} sighting(s) in them "
            f"[match: {', '.join(e['match_kinds']) or 'none'}], delivered to {', '.join(e['delivered_to']) or 'no zone'}"
        )
        say(
            f"      the simulator drove it past {e['truth_sightings']} camera(s); {e['read_as_plate']} of those "
            f"passages were read as {plate}, {e['read_in_zones']} of them in {where}, "
            f"{e['read_in_zones_fresh']} of those captured at most {e['max_age_min']} min before they were read: "
            f"only those raise alerts (older ones are late hits, recorded but not sent)"
        )
        say(
            f"      {e['alerts']} alert(s) for {e['expected_alerts']} expected: sightings more than "
            f"{e['dedupe_window_min']} min "
            f"apart open a new alert, closer ones are added to the open one"
        )
    if alerts["latency_p50_s"] is not None:
        p95 = alerts["latency_p95_s"]
        say(
            f"  upload→alert latency p50 {alerts['latency_p50_s']:.2f}s p95 {p95:.2f}s"
            if p95 is not None
            else f"  upload→alert latency p50 {alerts['latency_p50_s']:.2f}s"
        )
    say("\n== investigator searches (Step Functions) ==")
    t = searches.get("trajectory")
    if t:
        say(
            f"  trajectory {t['plate']}: {t['status']}, {len(t['found'])} cameras in order; "
            f"= correctly-read truth: {t['exact_in_order']}; recall vs truth {t['recall_vs_truth']:.0%}, "
            f"precision {t['precision_vs_truth']:.0%}"
        )
    p = searches.get("partial")
    if p:
        say(
            f"  partial {p['pattern']}: {p['status']}, {len(p['found'])} plates; all and only the matching reads: {p['all_and_only']}"
        )
    c = searches.get("convoy")
    if c:
        say(
            f"  convoy of {c['target']}: {c['status']}, top {c['top']}; partner {c['partner']} first: {c['partner_first']}"
        )
    say("\n== oversight ==")
    say(f"  who accessed {t['plate'] if t else '?'}: " + "; ".join(f"{u} {a}" for u, a in audit["accesses"]))
    say(f"  audit probes drawn: {audit['probes']}; audit chain: {audit['verify'].get('ok', audit['verify'])}")


# --- operations: a camera goes silent during its usual hours -----------------------------------

SILENT_AFTER_MIN = 75  # the silence watch's clock is moved this far past the traffic


def silent_camera(rt: LocalRuntime, truth, now_ms: int) -> dict:
    """One camera that sent during the demo goes silent in hours it usually sends in; the
    scheduled watch (its services on a ManualClock, no real hours waited) raises the ops alert.

    Its usual hours: the same hours of the week on the three weeks before, recorded with the
    store ingest writes to (CameraActivity). The other cameras have only today's activity, so
    their silence after the demo is not "usual" traffic missing and raises nothing."""
    import contextlib
    import io

    from anpr.alerts.wiring import settings_from
    from anpr.kernel import platform
    from anpr.kernel.clock import ManualClock
    from anpr.networks.activity import WEEK_MS
    from anpr.networks.settings import SilenceSettings
    from anpr.networks.silence_job import run_silence_job
    from anpr.networks.wiring import silence_services

    sent = sorted({s.camera_id for s in truth.sightings if s.uploaded})
    if not sent:
        return {}
    camera_id = sent[len(sent) // 2]
    clock = ManualClock(now_ms)
    services = silence_services(
        settings_from(SilenceSettings, rt.function_env(platform.function("SilenceWatch"))), clock
    )
    network = ""  # the Brussels pilot's cameras belong to no network yet
    for weeks_ago in (3, 2, 1):
        for minutes in range(-60, SILENT_AFTER_MIN + 60, 10):
            services.activity.record(camera_id, network, now_ms - weeks_ago * WEEK_MS + minutes * 60_000)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):  # the job's EMF metrics (printed JSON), read below
        before = run_silence_job(services, "watch")
        clock.advance(minutes=SILENT_AFTER_MIN)
        after = run_silence_job(services, "watch")  # logs the alert: "camera silent"
        again = run_silence_job(services, "watch")
    emf = [json.loads(line) for line in out.getvalue().splitlines() if line.startswith("{")]
    totals = [m["SilentCameras"] for m in emf if "SilentCameras" in m and "network" not in m]
    totals = [int(v[0] if isinstance(v, list) else v) for v in totals]  # EMF values are lists
    return {
        "camera_id": camera_id,
        "silent_before": before["silent"],
        "alerts": after["alerts"],
        "alerted_again": again["new"],
        # the total the SilentCameras alarm watches, as the watch published it after the silence
        "silent_cameras_metric": totals[1] if len(totals) > 1 else None,
        "minutes": SILENT_AFTER_MIN,
    }


def report_silence(say, silence: dict) -> None:
    say("\n== operations: silent cameras ==")
    if not silence:
        say("  no camera sent: nothing to watch")
        return
    alerts = silence["alerts"]
    say(
        f"  {silence['camera_id']} sent during the demo and in these hours on each of the last 3 weeks; "
        f"the watch's clock moved {silence['minutes']} min on: "
        + (
            f"ops alert 'camera silent' for {', '.join(a['camera_id'] for a in alerts)} "
            f"(silent {alerts[0]['silent_minutes']} min, SilentCameras={silence['silent_cameras_metric']} → alarm)"
            if alerts
            else "no alert (unexpected)"
        )
    )
    say(
        f"  before: {silence['silent_before']} silent; the next watch alerts again for: "
        f"{', '.join(silence['alerted_again']) or 'nobody (one alert per silence)'}"
    )
