"""Search parameters: validated at the door."""

import pytest
from anpr.search.models import ConvoyQuery, oldest_ms, parse_query
from anpr.search.plan import PlanLimits, mode_for, partitions_in, plan
from pydantic import ValidationError

from tests.fakes.reads import InMemoryCameraRegistry
from tests.fakes.search import InMemoryReadSource
from tests.helpers import NOW_MS

DAY = 86_400_000


def test_iso_times_and_plate_normalisation():
    q = parse_query(
        "trajectory", {"plate": "1-abc-234", "start_ms": "2026-11-18T08:00:00Z", "end_ms": NOW_MS}
    )
    assert q.plate == "1ABC234" and q.start_ms == 1_795_075_200_000 - DAY


@pytest.mark.parametrize(
    "params",
    [
        {"pattern": "*", "start_ms": NOW_MS - DAY, "end_ms": NOW_MS},  # nothing known
        {"pattern": "?-?*", "start_ms": NOW_MS - DAY, "end_ms": NOW_MS},  # separators only
        {"pattern": "1AB*", "start_ms": NOW_MS, "end_ms": NOW_MS - DAY},  # reversed
        {"pattern": "1AB*", "start_ms": NOW_MS - 500 * DAY, "end_ms": NOW_MS},  # too long
    ],
)
def test_bad_partial_queries(params):
    with pytest.raises(ValidationError):
        parse_query("partial", params)


def test_a_place_needs_exactly_one_of_cameras_circle_polygon():
    with pytest.raises(ValidationError):
        parse_query("place", {"start_ms": NOW_MS - DAY, "end_ms": NOW_MS})
    with pytest.raises(ValidationError):
        parse_query(
            "place",
            {
                "cameras": ["A"],
                "circle": {"lat": 50, "lon": 4, "radius_m": 10},
                "start_ms": NOW_MS - DAY,
                "end_ms": NOW_MS,
            },
        )


def test_convoy_reaches_back_by_its_control_days():
    q = ConvoyQuery(plate="1ABC234", start_ms=NOW_MS - DAY, end_ms=NOW_MS, control_days=3)
    assert oldest_ms(q) == NOW_MS - 4 * DAY


def test_a_national_day_plans_into_bounded_items():
    # GIVEN a one-day partial search with no camera limit WHEN planned with the defaults
    midnight = NOW_MS - NOW_MS % DAY
    q = parse_query("partial", {"pattern": "1AB*", "start_ms": midnight - DAY, "end_ms": midnight - 1})
    items = plan(q, InMemoryCameraRegistry(), InMemoryReadSource())
    # THEN 1,440 one-minute items of 32 shards each: 46,080 partitions, the Distributed Map path
    assert len(items) == 1440 and sum(partitions_in(i) for i in items) == 46_080
    assert mode_for(items) == "distributed"
    assert mode_for(items, PlanLimits(inline_max_items=5000)) == "inline"
