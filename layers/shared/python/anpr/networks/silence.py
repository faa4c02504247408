"""Silent cameras: a camera that usually sends during this hour of the week but has sent
nothing for a while raises an ops alert; a daily report per network lists them.

Pure logic with an injected clock. "Usually" is learnt from the camera's own history: the
share of recent weeks in which it sent at least one snapshot in that local hour of the week
(Europe/Brussels: traffic follows local time). Missing data is not healthy: a camera with a
usual hour and no snapshot is exactly what this looks for. New cameras (no history) and
cameras quiet at this hour (night-time city streets) are never flagged.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from anpr.kernel.clock import Clock

LOCAL = ZoneInfo("Europe/Brussels")
HOURS_PER_WEEK = 168
HOUR_MS = 3_600_000


def hour_of_week(ms: int) -> int:
    """0 = Monday 00:00–01:00 local time ... 167 = Sunday 23:00–24:00."""
    t = datetime.fromtimestamp(ms / 1000, tz=LOCAL)
    return t.weekday() * 24 + t.hour


@dataclass(frozen=True)
class CameraActivity:
    camera_id: str
    network: str
    last_seen_ms: int | None
    #: per local hour of the week: in how many of the last ``weeks`` weeks the camera sent then
    weeks_active: tuple[int, ...]
    weeks: int
    #: upload→read latency histogram of the last hour or two (anpr.networks.latency); () none
    latency: tuple[int, ...] = ()


def activity_from_captures(
    camera_id: str, network: str, captures_ms: Iterable[int], now_ms: int, weeks: int = 4
) -> CameraActivity:
    """Build the activity profile from capture times (an adapter keeps hourly counters instead)."""
    start = now_ms - weeks * 7 * 24 * HOUR_MS
    seen: set[tuple[int, int]] = set()  # (week index, hour of week)
    last = None
    for ms in captures_ms:
        if ms > now_ms:
            continue
        last = ms if last is None else max(last, ms)
        if ms >= start:
            seen.add(((now_ms - ms) // (7 * 24 * HOUR_MS), hour_of_week(ms)))
    active = [0] * HOURS_PER_WEEK
    for _, how in seen:
        active[how] += 1
    return CameraActivity(camera_id, network, last, tuple(active), weeks)


@dataclass(frozen=True)
class SilenceRule:
    #: silent for at least this long (minutes) ...
    silent_minutes: int = 60
    #: ... during an hour (and the one before) the camera sent in on at least this share of weeks
    usual_share: float = 0.75

    def usual(self, activity: CameraActivity, how: int) -> bool:
        needed = max(1, math.ceil(self.usual_share * activity.weeks))
        return activity.weeks_active[how % HOURS_PER_WEEK] >= needed


@dataclass(frozen=True)
class SilentCamera:
    camera_id: str
    network: str
    silent_minutes: int
    last_seen_ms: int | None


def silent_cameras(
    activities: Iterable[CameraActivity], now_ms: int, rule: SilenceRule
) -> list[SilentCamera]:
    """Cameras silent for ``rule.silent_minutes`` through hours in which they usually send."""
    out = []
    for a in activities:
        if a.last_seen_ms is None:
            continue  # never sent: a new camera, commissioning is not an outage
        quiet_ms = now_ms - a.last_seen_ms
        if quiet_ms < rule.silent_minutes * 60_000:
            continue
        # every hour of the silence so far must be a usual one (at most the last two looked at)
        hours = {hour_of_week(now_ms), hour_of_week(max(a.last_seen_ms, now_ms - HOUR_MS))}
        if all(rule.usual(a, h) for h in hours):
            out.append(SilentCamera(a.camera_id, a.network, quiet_ms // 60_000, a.last_seen_ms))
    return sorted(out, key=lambda s: (s.network, s.camera_id))


@dataclass(frozen=True)
class NetworkReport:
    network: str
    cameras: int
    silent: list[SilentCamera]
    #: cameras that sent nothing in the last 24 hours though they have a usual hour in it
    silent_all_day: list[str]


def daily_report(activities: Iterable[CameraActivity], now_ms: int, rule: SilenceRule) -> list[NetworkReport]:
    activities = list(activities)
    silent = silent_cameras(activities, now_ms, rule)
    day_hours = {hour_of_week(now_ms - k * HOUR_MS) for k in range(24)}
    by_network: dict[str, list[CameraActivity]] = defaultdict(list)
    for a in activities:
        by_network[a.network].append(a)
    reports = []
    for network, cams in sorted(by_network.items()):
        all_day = [
            a.camera_id
            for a in cams
            if a.last_seen_ms is not None
            and now_ms - a.last_seen_ms >= 24 * HOUR_MS
            and any(rule.usual(a, h) for h in day_hours)
        ]
        reports.append(
            NetworkReport(network, len(cams), [s for s in silent if s.network == network], sorted(all_day))
        )
    return reports


class SilenceWatch:
    """The scheduled job's logic: alert once per silence (again only after the camera came back)."""

    def __init__(self, rule: SilenceRule, clock: Clock):
        self._rule, self._clock = rule, clock
        self._alerted: set[str] = set()

    def check(self, activities: Iterable[CameraActivity]) -> list[SilentCamera]:
        now = self._clock()
        silent = silent_cameras(activities, now, self._rule)
        current = {s.camera_id for s in silent}
        new = [s for s in silent if s.camera_id not in self._alerted]
        self._alerted = current
        return new
