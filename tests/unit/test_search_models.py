"""Search parameters: validated at the door."""

import pytest
from anpr.kernel.errors import BadRequest
from anpr.search.models import ConvoyQuery, check_not_future, oldest_ms, parse_query
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


def test_convoy_reaches_back_by_its_control_days_and_its_window():
    # GIVEN a convoy over the last day with 3 control days and ±120 s windows
    q = ConvoyQuery(plate="1ABC234", start_ms=NOW_MS - DAY, end_ms=NOW_MS, control_days=3)
    # THEN the oldest read it may touch is a window before the third control day
    assert oldest_ms(q) == NOW_MS - 4 * DAY - 120_000


def test_ab_reaches_back_to_the_older_place():
    a = {"cameras": ["A"], "start_ms": NOW_MS - 2 * DAY, "end_ms": NOW_MS - DAY}
    b = {"cameras": ["B"], "start_ms": NOW_MS - 5 * DAY, "end_ms": NOW_MS - 4 * DAY}
    assert oldest_ms(parse_query("ab", {"a": a, "b": b})) == NOW_MS - 5 * DAY


@pytest.mark.parametrize(
    "pattern, why",
    [
        ("1-AB[", "not '\\['"),  # a bracket is not a separator: refused, not dropped
        ("ÄÖÜ123", "not 'ÄÖÜ'"),  # non-Latin letters are not folded to other plates
        ("", "at least 2 characters"),
        ("   ", "empty"),
        ("**??", "known characters in a row"),  # only wildcards
        ("1?A?B*", "known characters in a row"),  # no literal run of two
        ("1AB\u200b*", "not"),  # a zero-width space
    ],
)
def test_patterns_that_are_not_plates_are_refused_with_the_reason(pattern, why):
    # GIVEN a partial pattern that is not a plate pattern WHEN parsed THEN refused, saying why
    with pytest.raises(ValidationError, match=why):
        parse_query("partial", {"pattern": pattern, "start_ms": NOW_MS - DAY, "end_ms": NOW_MS})


def test_separators_in_a_pattern_are_still_allowed():
    q = parse_query("partial", {"pattern": "1-ab?.2*", "start_ms": NOW_MS - DAY, "end_ms": NOW_MS})
    assert q.pattern == "1AB?2*"


@pytest.mark.parametrize("plate", ["1-AB[", "ÄÖÜ123", "1ABC234\x00", "1ABC\u200b234"])
@pytest.mark.parametrize("kind", ["trajectory", "convoy"])
def test_plates_that_are_not_plates_are_refused(kind, plate):
    # GIVEN a plate parameter with characters no plate has WHEN parsed THEN a validation error
    with pytest.raises(ValidationError, match="Latin letters"):
        parse_query(kind, {"plate": plate, "start_ms": NOW_MS - DAY, "end_ms": NOW_MS})


@pytest.mark.parametrize("end_ms", [NOW_MS + 3_600_000, 7_258_118_400_000])  # an hour ahead; 2200
def test_windows_in_the_future_are_refused(end_ms):
    # GIVEN a window ending after now (beyond the skew) WHEN checked THEN 400 saying so
    q = parse_query("trajectory", {"plate": "1ABC234", "start_ms": end_ms - DAY, "end_ms": end_ms})
    with pytest.raises(BadRequest, match="future"):
        check_not_future(q, NOW_MS)


def test_a_little_clock_skew_is_tolerated():
    q = parse_query("trajectory", {"plate": "1ABC234", "start_ms": NOW_MS - DAY, "end_ms": NOW_MS + 60_000})
    check_not_future(q, NOW_MS)  # no error: a minute ahead is clock skew


def test_a_national_day_plans_into_bounded_items():
    # GIVEN a one-day partial search with no camera limit WHEN planned with the defaults
    midnight = NOW_MS - NOW_MS % DAY
    q = parse_query("partial", {"pattern": "1AB*", "start_ms": midnight - DAY, "end_ms": midnight - 1})
    items = plan(q, InMemoryCameraRegistry(), InMemoryReadSource())
    # THEN 1,440 one-minute items of 32 shards each: 46,080 partitions, the Distributed Map path
    assert len(items) == 1440 and sum(partitions_in(i) for i in items) == 46_080
    assert mode_for(items) == "distributed"
    assert mode_for(items, PlanLimits(inline_max_items=5000)) == "inline"
