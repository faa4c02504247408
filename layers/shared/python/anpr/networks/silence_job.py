"""The scheduled silent-camera job (``SilenceWatch``): the watch every 15 minutes raises one ops
alert per new silence (log ``camera silent`` + metric ``SilentCameras`` per network → alarm →
the stage's alarm subscription); the daily report lists each network's silent cameras.

Its clock is the services' (``silence_services(clock=...)``): the demo and the tests move a
``ManualClock`` through hours instead of waiting for them.
"""

from __future__ import annotations

from dataclasses import asdict

from anpr.kernel.observability import logger
from anpr.networks import metrics
from anpr.networks.silence import daily_report, silent_cameras


def run_silence_job(services, job: str) -> dict:
    """``job``: "watch" (new silences) or "report" (per network, daily)."""
    s = services
    now = s.clock()
    activities = list(s.activity.profiles(now, s.weeks))
    silent = silent_cameras(activities, now, s.rule)
    per_network: dict[str, int] = dict.fromkeys((a.network for a in activities), 0)
    for cam in silent:
        per_network[cam.network] = per_network.get(cam.network, 0) + 1
    for network, n in sorted(per_network.items()):
        metrics.silent_cameras(network, n, s.metrics_namespace)
    if job == "report":
        reports = daily_report(activities, now, s.rule)
        for r in reports:
            logger.info(
                "silent cameras daily report",
                extra={"network": r.network, "cameras": r.cameras, "silent": [c.camera_id for c in r.silent],
                       "silent_all_day": r.silent_all_day},
            )  # fmt: skip
        return {"job": "report", "networks": [asdict(r) for r in reports]}
    new = s.watch.check(activities)
    for cam in new:
        logger.warning("camera silent", extra=asdict(cam))
    return {
        "job": "watch",
        "silent": len(silent),
        "new": [c.camera_id for c in new],
        "alerts": [asdict(c) for c in new],
    }
