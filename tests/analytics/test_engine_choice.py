"""choose_engine: trajectories and short ranges stay on the reads table, long scans go to the copy."""

from __future__ import annotations

import pytest
from anpr.analytics.engine import EnginePolicy, choose_engine, choose_for
from anpr.search.models import parse_query

from tests.analytics.helpers import DAY, HOUR
from tests.helpers import NOW_MS


@pytest.mark.parametrize("search_type", ["partial", "convoy"])
def test_a_long_partial_or_convoy_runs_on_the_analytics_copy(search_type):
    # GIVEN four weeks WHEN choosing THEN the analytics copy, with its cost
    choice = choose_engine(search_type, 28 * DAY)
    assert choice.engine == "analytics"
    assert "28.0 days" in choice.reason
    assert choice.partitions == 28 * 24 + 1
    assert 0 < choice.athena_usd < 1.0  # 30 M reads/day × 28 days × ~29 B read ≈ 24 GB ≈ $0.12


def test_trajectory_always_stays_on_the_reads_table():
    choice = choose_engine("trajectory", 365 * DAY)
    assert choice.engine == "dynamodb" and "byPlate" in choice.reason


@pytest.mark.parametrize("search_type", ["partial", "convoy", "place", "ab"])
def test_up_to_one_day_stays_on_the_reads_table(search_type):
    assert choose_engine(search_type, DAY).engine == "dynamodb"
    assert choose_engine(search_type, DAY + HOUR).engine == (
        "analytics" if search_type in ("partial", "convoy") else "dynamodb"
    )


def test_the_short_range_is_configurable():
    policy = EnginePolicy(short_range_ms=7 * DAY)
    assert choose_engine("partial", 3 * DAY, policy=policy).engine == "dynamodb"
    assert choose_engine("partial", 8 * DAY, policy=policy).engine == "analytics"


def test_a_few_cameras_stay_on_the_index_many_camera_hours_go_to_the_copy():
    assert choose_engine("place", 30 * DAY, cameras=3).engine == "dynamodb"
    many = choose_engine("place", 90 * DAY, cameras=200)
    assert many.engine == "analytics" and "camera-hour windows" in many.reason


def test_choose_for_a_convoy_counts_its_control_days():
    # GIVEN a 2-day convoy with 3 control days: it reads 5 days of data
    q = parse_query("convoy", {"plate": "1ABC234", "start_ms": NOW_MS - 2 * DAY, "end_ms": NOW_MS})
    # WHEN the engine is chosen THEN it is the copy, and the scan counts the control days too
    choice = choose_for(q)
    assert choice.engine == "analytics"
    assert choice.as_dict()["engine"] == "analytics" and choice.as_dict()["athena_usd"] > 0
    assert choice.bytes == choose_engine("convoy", 5 * DAY + 3 * 120_000).bytes


def test_a_convoy_over_the_last_hours_stays_on_the_fresh_reads_table_whatever_its_control_days():
    # GIVEN a 20-hour convoy ending now, with 3 and with 14 control days
    for days in (3, 14):
        q = parse_query(
            "convoy",
            {"plate": "1ABC234", "start_ms": NOW_MS - 20 * HOUR, "end_ms": NOW_MS, "control_days": days},
        )
        # WHEN the engine is chosen THEN the reads table answers (the copy lags by up to 15 min)
        choice = choose_for(q)
        assert choice.engine == "dynamodb", choice.reason
        assert "short range" in choice.reason


def test_choose_for_a_place_with_named_cameras():
    q = parse_query("place", {"cameras": ["C1", "C2"], "start_ms": NOW_MS - 60 * DAY, "end_ms": NOW_MS})
    assert choose_for(q).engine == "dynamodb"
