"""The analytics copy answers like the reads table: same items, same sightings, same ranking.

The same synthetic reads go into moto's DynamoDB (through the ingest repository) and into the
Parquet layout (through the analytics writer); each search runs through the DynamoDB path
(plan → partition queries → merge) and through DuckDB (SQL → merge), and the results must be
equal field for field.
"""

from __future__ import annotations

import boto3
import pytest
from anpr.analytics.adapters import DuckDBEngine
from anpr.analytics.service import AnalyticsSearch
from anpr.analytics.sql import build
from anpr.analytics.stores import FolderStore
from anpr.analytics.writer import AnalyticsWriter
from anpr.kernel.errors import BadRequest
from anpr.reads.repository import DynamoPlateReadRepository
from anpr.search import synthetic as syn
from anpr.search.merge import merge
from anpr.search.models import parse_query
from anpr.search.partition import run_item
from anpr.search.plan import PlanLimits, plan
from anpr.search.source import DynamoReadSource
from moto import mock_aws

from local.resources import REGION, provision
from tests.analytics.helpers import DAY, HOUR, plate_read
from tests.fakes.reads import InMemoryCameraRegistry
from tests.fakes.search import InMemoryReadSource
from tests.helpers import NOW_MS

DAY0 = NOW_MS - NOW_MS % DAY - 5 * DAY + 8 * HOUR  # 08:00 UTC, five days before NOW_MS
LAST = DAY0 + 4 * DAY


def _town():
    """10 cameras (8 in Brussels on a line, 2 in Liège), 5 days of traffic, planted vehicles."""
    cams = syn.cameras_on_a_line(8)
    liege = syn.cameras_on_a_line(2, zone="LIEGE", lat0=50.6, lon0=5.5, prefix="LGE")
    plates = syn.plate_pool(400)
    reads = list(syn.background(1200, cams + liege, DAY0 - DAY, DAY0 + 5 * DAY, plates))
    reads += list(syn.background(600, cams[1:3], LAST - 2 * HOUR, LAST + 2 * HOUR, plates, seed=5))
    for d in range(5):  # a commuter target, a regular 20 s behind it every day
        reads += syn.drive("1TGT001", cams[:6], DAY0 + d * DAY, 120_000)
        reads += syn.drive("1REG002", cams[:6], DAY0 + d * DAY + 20_000, 120_000)
    reads += syn.drive("1PAR003", cams[:6], LAST + 40_000, 120_000)  # the partner, last day only
    reads += syn.drive("1ONE004", cams[:2], LAST + 10_000, 120_000)  # below K
    for i, p in enumerate(["1ABC234", "1ABD234", "1ABC2345", "2ABC234", "1AB234", "1XBC234"]):
        reads.append(
            syn.sighting(
                p, (cams + liege)[i % 10], LAST + i * 60_000, confidence=0.6, alternatives=(p[:-1] + "8",)
            )
        )
    reads += syn.drive("1ABC235", liege, LAST + 30 * 60_000, 60_000)
    return cams, liege, reads


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    cams, liege, sightings = _town()
    registry = InMemoryCameraRegistry(cams + liege)
    folder = tmp_path_factory.mktemp("analytics")
    # GIVEN the same reads in the analytics layout (written in several batches, as a stream does) ...
    writer = AnalyticsWriter(FolderStore(folder), clock=lambda: NOW_MS)
    reads = [plate_read(s) for s in sightings]
    for i in range(0, len(reads), 1500):
        writer.write(reads[i : i + 1500])
    analytics = AnalyticsSearch(DuckDBEngine(folder, threads=1), registry)
    # ... and in the reads table
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        prov = provision(session, prefix="anpr-an")
        DynamoPlateReadRepository(prov.name("table", "Reads"), REGION).put_many(reads)
        dynamo = DynamoReadSource(prov.name("table", "Reads"), session.client("dynamodb", region_name=REGION))
        yield registry, dynamo, analytics, sightings


def _dynamo(query, source, registry):
    limits = PlanLimits(slices_per_item=60)
    found = [s for item in plan(query, registry, source, limits) for s in run_item(query, item, source)]
    return merge(query, found, {"job_id": "t"})


def _same(a, b):
    assert a.items == b.items
    assert [s.model_dump() for s in a.sightings] == [s.model_dump() for s in b.sightings]
    assert a.summary == b.summary


CASES = {
    "partial national, minutes": (
        "partial",
        {"pattern": "1AB?23*", "start_ms": LAST - 60_000, "end_ms": LAST + 6 * 60_000},
    ),
    "partial in a zone, two days": (
        "partial",
        {"pattern": "1ABC23?", "start_ms": LAST - DAY, "end_ms": LAST + DAY, "zones": ["LIEGE"]},
    ),
    "partial at cameras, leading star": (
        "partial",
        {"pattern": "*B?23*", "start_ms": LAST - DAY, "end_ms": NOW_MS, "cameras": ["CAM-000", "CAM-004"]},
    ),
    "place by cameras": (
        "place",
        {"cameras": ["CAM-001", "CAM-002"], "start_ms": LAST - HOUR, "end_ms": LAST + HOUR},
    ),
    "place by circle, a day": (
        "place",
        {"circle": {"lat": 50.6, "lon": 5.5, "radius_m": 3000}, "start_ms": LAST - DAY, "end_ms": NOW_MS},
    ),
    "seen at A and B": (
        "ab",
        {
            "a": {"cameras": ["CAM-000"], "start_ms": DAY0 - HOUR, "end_ms": DAY0 + 2 * DAY},
            "b": {"cameras": ["CAM-005", "CAM-000"], "start_ms": DAY0, "end_ms": DAY0 + 2 * DAY},
        },
    ),
    "convoy with controls": (
        "convoy",
        {
            "plate": "1TGT001",
            "start_ms": LAST - HOUR,
            "end_ms": LAST + 2 * HOUR,
            "window_s": 60,
            "min_cameras": 3,
            "control_days": 3,
        },
    ),
    "convoy over days, few sightings kept": (
        "convoy",
        {
            "plate": "1TGT001",
            "start_ms": DAY0 - HOUR,
            "end_ms": NOW_MS,
            "window_s": 90,
            "min_cameras": 2,
            "control_days": 1,
            "max_sightings": 7,
        },
    ),
    "trajectory with look-alikes": (
        "trajectory",
        {"plate": "1ABC234", "start_ms": DAY0, "end_ms": NOW_MS, "include_lookalikes": True},
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_duckdb_gives_the_dynamodb_result(both, name):
    registry, dynamo, analytics, _ = both
    search_type, params = CASES[name]
    query = parse_query(search_type, params)
    # WHEN the same search runs on both engines
    expected = _dynamo(query, dynamo, registry)
    got = analytics.run(query, {"job_id": "t"})
    # THEN the results are identical (and not trivially empty)
    assert expected.items, name
    _same(got, expected)


@pytest.mark.parametrize("name", ["convoy with controls", "convoy over days, few sightings kept"])
def test_convoy_with_targets_from_the_plate_index_gives_the_same_result(both, name):
    # GIVEN the analytics search taking the target's sightings from the reads table's byPlate index
    registry, dynamo, analytics, _ = both
    hybrid = AnalyticsSearch(analytics.engine, registry, plates=dynamo)
    query = parse_query(*CASES[name])
    # WHEN it runs THEN the result is the DynamoDB one, and its SQL scanned only camera windows
    _same(hybrid.run(query, {"job_id": "t"}), _dynamo(query, dynamo, registry))
    sql = build(
        query,
        registry,
        analytics.engine.dialect,
        targets=list(dynamo.plate(query.plate, query.start_ms, query.end_ms)),
    )
    assert sql.sql.count("{reads}") == 1 and "plate =" not in sql.sql


def test_convoy_ranking_survives_the_engine_switch(both):
    _, _, analytics, _ = both
    query = parse_query("convoy", CASES["convoy with controls"][1])
    result = analytics.run(query, {"job_id": "t"})
    assert result.items[0]["plate"] == "1PAR003"
    assert next(i for i in result.items if i["plate"] == "1REG002")["score"] == 0


def test_national_wildcard_over_days_matches_the_reference_source(both):
    # GIVEN five days nationally (230k partition queries: the in-memory source, the contract the
    # DynamoDB source is tested against, stands in for moto here)
    registry, _, analytics, sightings = both
    memory = InMemoryReadSource(sightings)
    query = parse_query("partial", {"pattern": "1A*", "start_ms": DAY0 - DAY, "end_ms": NOW_MS})
    expected = _dynamo(query, memory, registry)
    got = analytics.run(query, {"job_id": "t"})
    assert len(expected.items) > 5
    _same(got, expected)


def test_convoy_without_a_target_sighting_is_a_bad_request_on_both(both):
    registry, dynamo, analytics, _ = both
    query = parse_query("convoy", {"plate": "0NOPE00", "start_ms": DAY0, "end_ms": NOW_MS})
    with pytest.raises(BadRequest, match="not seen"):
        _dynamo(query, dynamo, registry)
    with pytest.raises(BadRequest, match="not seen"):
        analytics.run(query, {"job_id": "t"})
