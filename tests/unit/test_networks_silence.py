"""Silent cameras (anpr.networks.silence): usual hours learnt per camera, local time, once per silence."""

from anpr.kernel.clock import ManualClock
from anpr.networks.silence import (
    HOUR_MS,
    SilenceRule,
    SilenceWatch,
    activity_from_captures,
    daily_report,
    hour_of_week,
    silent_cameras,
)

from tests.helpers import NOW_MS

DAY = 24 * HOUR_MS
RULE = SilenceRule(silent_minutes=60, usual_share=0.75)


def busy_daytime(now_ms: int, weeks: int = 4, until_ms: int | None = None) -> list[int]:
    """A snapshot every 10 minutes from 07:00 to 20:00 local time, every day for ``weeks`` weeks."""
    until_ms = now_ms if until_ms is None else until_ms
    out = []
    t = now_ms - weeks * 7 * DAY
    while t <= until_ms:
        if 7 <= hour_of_week(t) % 24 < 20:
            out.append(t)
        t += 10 * 60_000
    return out


def at_local_hour(hour: int) -> int:
    """NOW_MS moved to the next time it is ``hour``:30 local time."""
    t = NOW_MS
    while hour_of_week(t) % 24 != hour:
        t += HOUR_MS
    return t - t % HOUR_MS + 30 * 60_000


def test_hour_of_week_is_local_time():
    # NOW_MS is Wednesday 2026-11-18 11:06 UTC = 12:06 in Brussels (UTC+1 in winter)
    assert hour_of_week(NOW_MS) == 2 * 24 + 12
    # Sunday 23:30 UTC in summer is Monday 01:30 in Brussels (UTC+2)
    assert hour_of_week(1_783_294_200_000) == 1


def test_a_camera_silent_during_its_usual_hours_is_flagged():
    # GIVEN a daytime camera that stopped sending at 13:00 local time
    now = at_local_hour(15)
    stopped = now - 150 * 60_000
    activity = activity_from_captures("C-1", "city-a", busy_daytime(now, until_ms=stopped), now)
    # WHEN checked at 15:30 THEN it is silent for 150 minutes
    [silent] = silent_cameras([activity], now, RULE)
    assert (silent.camera_id, silent.network) == ("C-1", "city-a")
    assert silent.silent_minutes >= 149


def test_quiet_at_night_is_not_silence_and_short_gaps_are_tolerated():
    # GIVEN the same daytime camera, checked at 03:30 (it never sends at night)
    night = at_local_hour(3)
    activity = activity_from_captures("C-1", "city-a", busy_daytime(night), night)
    assert silent_cameras([activity], night, RULE) == []
    # AND by day, a 30-minute gap is below the threshold
    day = at_local_hour(11)
    recent = activity_from_captures("C-2", "city-a", busy_daytime(day, until_ms=day - 30 * 60_000), day)
    assert silent_cameras([recent], day, RULE) == []


def test_new_cameras_and_irregular_cameras_are_not_flagged():
    now = at_local_hour(15)
    new = activity_from_captures("NEW", "city-a", [], now)
    # sent on one week in four at this hour: not its usual hour
    once = activity_from_captures("RARE", "city-a", [now - 2 * 7 * DAY], now)
    assert silent_cameras([new, once], now, RULE) == []


def test_daily_report_per_network_and_alert_once_per_silence():
    # GIVEN two networks, one camera silent since yesterday morning, one fine
    now = at_local_hour(16)
    dead = activity_from_captures("A-1", "city-a", busy_daytime(now, until_ms=now - 30 * HOUR_MS), now)
    fine = activity_from_captures("B-1", "city-b", busy_daytime(now), now)
    reports = {r.network: r for r in daily_report([dead, fine], now, RULE)}
    assert [s.camera_id for s in reports["city-a"].silent] == ["A-1"]
    assert reports["city-a"].silent_all_day == ["A-1"]
    assert reports["city-b"].silent == [] and reports["city-b"].cameras == 1
    # WHEN the watch runs twice THEN the silence is alerted once
    clock = ManualClock(now)
    watch = SilenceWatch(RULE, clock)
    assert [s.camera_id for s in watch.check([dead, fine])] == ["A-1"]
    clock.advance(minutes=15)
    assert watch.check([dead, fine]) == []
