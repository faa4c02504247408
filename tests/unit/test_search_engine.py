"""Search semantics on in-memory reads: plan → partitions → merge, per search type."""

import pytest
from anpr.kernel.errors import BadRequest
from anpr.search import synthetic as syn
from anpr.search.merge import merge
from anpr.search.models import parse_query
from anpr.search.partition import longest_run, run_item, wildcard_regex
from anpr.search.plan import PlanLimits, plan

from tests.fakes.reads import InMemoryCameraRegistry
from tests.fakes.search import InMemoryReadSource
from tests.helpers import NOW_MS

HOUR = 3_600_000
DAY = 24 * HOUR
START = NOW_MS - 2 * DAY


def run_search(search_type, params, source, cameras, limits=None):
    query = parse_query(search_type, params)
    found = [
        s
        for item in plan(query, cameras, source, limits or PlanLimits())
        for s in run_item(query, item, source)
    ]
    return merge(query, found, {"job_id": "t"})


@pytest.fixture
def town():
    cams = syn.cameras_on_a_line(12)
    plates = syn.plate_pool(300)
    source = InMemoryReadSource(syn.background(3000, cams, START, NOW_MS, plates))
    return cams, InMemoryCameraRegistry(cams), source, plates


def test_trajectory_returns_every_camera_in_order(town):
    # GIVEN a simulated vehicle passing 8 cameras (one low-confidence read) among background traffic
    cams, registry, source, _ = town
    route = [cams[i] for i in (0, 2, 3, 5, 6, 8, 9, 11)]
    truth = syn.drive("9ZZZ999", route, START + HOUR, 90_000)
    truth[3] = syn.sighting(
        "9ZZZ999", route[3], truth[3].capture_ms, confidence=0.55, alternatives=("9ZZZ998",)
    )
    source.add(truth)
    # WHEN searching its trajectory
    result = run_search(
        "trajectory", {"plate": "9-zzz-999", "start_ms": START, "end_ms": NOW_MS}, source, registry
    )
    # THEN every camera comes back, in order (100 % precision and recall), with alternatives where unsure
    assert [i["camera_id"] for i in result.items] == [c.camera_id for c in route]
    assert [i["read_id"] for i in result.items] == [s.read_id for s in truth]
    assert result.items[3]["alternatives"] == ["9ZZZ998"] and result.items[0]["alternatives"] == []
    assert result.summary["cameras_in_order"] == [c.camera_id for c in route]


def test_trajectory_outside_the_window_is_not_returned(town):
    cams, registry, source, _ = town
    source.add(syn.drive("9ZZZ999", cams[:3], START - DAY, 60_000))
    result = run_search(
        "trajectory", {"plate": "9ZZZ999", "start_ms": START, "end_ms": NOW_MS}, source, registry
    )
    assert result.items == []


def test_trajectory_with_lookalikes_marks_misreads(town):
    cams, registry, source, _ = town
    source.add(syn.drive("9ZZZ999", cams[:2], START + HOUR, 60_000))
    source.add(syn.drive("9Z2Z999", cams[2:3], START + 2 * HOUR, 60_000))  # 2↔Z misread
    result = run_search(
        "trajectory",
        {"plate": "9ZZZ999", "start_ms": START, "end_ms": NOW_MS, "include_lookalikes": True},
        source,
        registry,
    )
    assert [i["match"] for i in result.items] == ["exact", "exact", "lookalike"]


@pytest.mark.parametrize("pattern", ["1AB?23*", "*B?23*", "1A*4", "?ABC?34"])
def test_partial_plate_returns_all_and_only_matching_plates(town, pattern):
    # GIVEN background traffic plus plates chosen to match or nearly match
    cams, registry, source, plates = town
    planted = ["1ABC234", "1ABD234", "1ABC2345", "2ABC234", "1ABC334", "1AB234", "1XBC234"]
    for i, p in enumerate(planted):
        source.add([syn.sighting(p, cams[i % len(cams)], START + i * HOUR)])
    every_plate = set(plates) | set(planted)
    rx = wildcard_regex(pattern)
    truth = {p for p in every_plate if rx.fullmatch(p)}
    seen_in_window = {s.plate for s in source.all_sightings()}
    # WHEN searching the pattern over the whole range (national fan-out over slices × shards)
    limits = PlanLimits(slices_per_item=120, shards_per_item=8)
    result = run_search(
        "partial", {"pattern": pattern, "start_ms": START, "end_ms": NOW_MS}, source, registry, limits
    )
    # THEN exactly the matching plates seen in the window come back
    assert {i["plate"] for i in result.items} == truth & seen_in_window
    assert truth & set(planted)  # the planted plates do exercise the pattern


def test_partial_plate_limited_to_a_zone(town):
    cams, registry, source, _ = town
    elsewhere = syn.cameras_on_a_line(2, zone="LIEGE", lat0=50.6, lon0=5.5, prefix="LGE")
    registry.put_many(elsewhere)
    source.add(
        [syn.sighting("1ABC234", cams[0], START + HOUR), syn.sighting("1ABC235", elsewhere[0], START + HOUR)]
    )
    result = run_search(
        "partial",
        {"pattern": "1ABC23?", "start_ms": START, "end_ms": NOW_MS, "zones": ["LIEGE"]},
        source,
        registry,
    )
    assert [i["plate"] for i in result.items] == ["1ABC235"]


def test_wildcards():
    assert wildcard_regex("1AB?2*").fullmatch("1ABC234")
    assert not wildcard_regex("1AB?2*").fullmatch("1ABCD234")
    assert wildcard_regex("*34").fullmatch("34")
    assert longest_run("1A?BCD*9") == "BCD"


def test_place_by_circle_and_polygon(town):
    cams, registry, source, _ = town
    source.add([syn.sighting("7PPP777", cams[5], START + HOUR)])
    c = cams[5]
    circle = run_search(
        "place",
        {
            "circle": {"lat": c.lat, "lon": c.lon, "radius_m": 300},
            "start_ms": START + HOUR - 60_000,
            "end_ms": START + HOUR + 60_000,
        },
        source,
        registry,
    )
    assert "7PPP777" in {i["plate"] for i in circle.items}
    assert all(s.camera_id == c.camera_id for s in circle.sightings)
    d = 0.003
    square = [(c.lat - d, c.lon - d), (c.lat - d, c.lon + d), (c.lat + d, c.lon + d), (c.lat + d, c.lon - d)]
    poly = run_search(
        "place",
        {"polygon": square, "start_ms": START + HOUR - 60_000, "end_ms": START + HOUR + 60_000},
        source,
        registry,
    )
    assert {i["plate"] for i in poly.items} == {i["plate"] for i in circle.items}


def test_place_in_an_empty_area_is_a_bad_request(town):
    _, registry, source, _ = town
    with pytest.raises(BadRequest):
        run_search(
            "place",
            {"circle": {"lat": 10.0, "lon": 10.0, "radius_m": 100}, "start_ms": START, "end_ms": NOW_MS},
            source,
            registry,
        )


def test_seen_at_a_and_at_b(town):
    cams, registry, source, _ = town
    t_a, t_b = START + HOUR, START + 5 * HOUR
    source.add(
        [
            syn.sighting("1AAA111", cams[0], t_a),
            syn.sighting("1AAA111", cams[9], t_b),  # both
            syn.sighting("2BBB222", cams[0], t_a),  # A only
            syn.sighting("3CCC333", cams[9], t_b),  # B only
            syn.sighting("4DDD444", cams[9], t_a),
        ]
    )  # B, wrong time
    win = 10 * 60_000
    result = run_search(
        "ab",
        {
            "a": {"cameras": [cams[0].camera_id], "start_ms": t_a - win, "end_ms": t_a + win},
            "b": {"cameras": [cams[9].camera_id], "start_ms": t_b - win, "end_ms": t_b + win},
        },
        source,
        registry,
    )
    plates = {i["plate"] for i in result.items}
    assert "1AAA111" in plates and not plates & {"2BBB222", "3CCC333", "4DDD444"}


def test_convoy_ranks_the_partner_first_despite_busy_cameras_and_commuters():
    # GIVEN a target commuting along 6 cameras every day at 08:00, a commuter regular who makes
    # the same trip at the same time every day, a convoy partner 40 s behind the target on the
    # last day only, and heavy background traffic at two "busy" cameras
    cams = syn.cameras_on_a_line(6)
    registry = InMemoryCameraRegistry(cams)
    plates = syn.plate_pool(2000)
    day0 = NOW_MS - NOW_MS % DAY - 5 * DAY + 8 * HOUR
    source = InMemoryReadSource(syn.background(20_000, cams[1:3], day0 - DAY, day0 + 5 * DAY, plates))
    for d in range(5):
        source.add(syn.drive("1TGT001", cams, day0 + d * DAY, 120_000))
        source.add(syn.drive("1REG002", cams, day0 + d * DAY + 20_000, 120_000))
    last = day0 + 4 * DAY
    source.add(syn.drive("1PAR003", cams, last + 40_000, 120_000))
    source.add(syn.drive("1ONE004", cams[:2], last + 10_000, 120_000))  # only 2 cameras: below K
    # WHEN searching the target's convoy on the last day
    result = run_search(
        "convoy",
        {
            "plate": "1TGT001",
            "start_ms": last - HOUR,
            "end_ms": last + 2 * HOUR,
            "window_s": 60,
            "min_cameras": 3,
            "control_days": 3,
        },
        source,
        registry,
    )
    # THEN the partner ranks first, the regular is demoted by the controls, the 2-camera car is out
    ranked = [i["plate"] for i in result.items]
    assert ranked[0] == "1PAR003"
    assert "1ONE004" not in ranked
    regular = next(i for i in result.items if i["plate"] == "1REG002")
    assert regular["regular_rate"] == 1.0 and regular["score"] == 0
    assert result.items[0]["cameras"] == 6


def test_convoy_without_any_target_sighting_is_a_bad_request(town):
    _, registry, source, _ = town
    with pytest.raises(BadRequest):
        run_search("convoy", {"plate": "0NOPE00", "start_ms": START, "end_ms": NOW_MS}, source, registry)
