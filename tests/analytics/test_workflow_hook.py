"""A long search runs through the same state machine (the ASL file, walked in-process), with its
one Map item running the SQL on the analytics copy; short ones stay on the reads table."""

from __future__ import annotations

import json

import pytest
from anpr.analytics.adapters import DuckDBEngine
from anpr.analytics.service import AnalyticsRoute, AnalyticsSearch
from anpr.analytics.stores import FolderStore
from anpr.analytics.writer import AnalyticsWriter
from anpr.search import synthetic as syn
from anpr.search.models import JobStatus
from anpr.search.results import get_result

from tests.analytics.helpers import DAY, HOUR, plate_read
from tests.fakes.reads import InMemoryCameraRegistry
from tests.fakes.search import InMemoryReadSource
from tests.helpers import NOW_MS
from tests.integration.sfn_local import AslFailed
from tests.unit.test_search_workflow import CAMS, add_job, make, run


@pytest.fixture
def town(tmp_path):
    plates = syn.plate_pool(200)
    sightings = list(syn.background(1500, CAMS, NOW_MS - 5 * DAY, NOW_MS, plates))
    sightings += [
        syn.sighting("1ABC234", CAMS[1], NOW_MS - 3 * DAY),
        syn.sighting("1ABD234", CAMS[2], NOW_MS - HOUR),
    ]
    AnalyticsWriter(FolderStore(tmp_path), clock=lambda: NOW_MS).write(plate_read(s) for s in sightings)
    route = AnalyticsRoute(AnalyticsSearch(DuckDBEngine(tmp_path, threads=1), InMemoryCameraRegistry(CAMS)))
    return sightings, route


def _workflow(sightings, route):
    wf = make(InMemoryReadSource(sightings))
    wf.analytics = route
    return wf


def test_a_four_day_partial_runs_as_one_analytics_task_with_the_same_result(town):
    sightings, route = town
    params = {"pattern": "1AB?23*", "start_ms": NOW_MS - 4 * DAY, "end_ms": NOW_MS}
    # GIVEN the same job on a workflow with the analytics hook and on one without
    with_copy, plain = _workflow(sightings, route), make(InMemoryReadSource(sightings))
    a, b = add_job(with_copy, "partial", params), add_job(plain, "partial", params)
    trace = []
    # WHEN the state machine runs both
    run(with_copy, a, trace)
    run(plain, b)
    # THEN the hooked one planned one analytics item (stated in the plan), and both agree
    job = with_copy.jobs.get(a)
    assert job.status == JobStatus.SUCCEEDED
    assert "QueryPartitions" in trace and job.public()["progress"]["percent"] == 100.0
    assert job.partitions_total == 4 * 24 + 1  # day/hour partitions, not 184,320 reads-table queries
    got, expected = get_result(with_copy.results, a), get_result(plain.results, b)
    assert got.items == expected.items and [i["plate"] for i in got.items] == ["1ABC234", "1ABD234"]
    assert got.summary.pop("engine")["engine"] == "analytics" and got.summary == expected.summary
    assert [s.model_dump() for s in got.sightings] == [s.model_dump() for s in expected.sightings]


def test_the_plan_states_the_engine_and_why(town):
    sightings, route = town
    wf = _workflow(sightings, route)
    long_job = add_job(
        wf, "convoy", {"plate": "1ABC234", "start_ms": NOW_MS - 4 * DAY, "end_ms": NOW_MS}, job_id="c"
    )
    short_job = add_job(
        wf, "partial", {"pattern": "1AB*", "start_ms": NOW_MS - HOUR, "end_ms": NOW_MS}, job_id="p"
    )
    for job_id in (long_job, short_job):
        wf.validate(job_id)
    long_plan, short_plan = wf.plan(long_job), wf.plan(short_job)
    assert long_plan["engine"]["engine"] == "analytics" and long_plan["count"] == 1
    assert long_plan["items"][0]["kind"] == "analytics"
    assert short_plan["engine"]["engine"] == "dynamodb" and "short range" in short_plan["engine"]["reason"]
    assert {i["kind"] for i in short_plan["items"]} == {"slices"}
    json.dumps(long_plan)  # state payload: JSON only


def test_a_convoy_target_never_seen_fails_the_job_with_the_usual_message(town):
    sightings, route = town
    wf = _workflow(sightings, route)
    job_id = add_job(wf, "convoy", {"plate": "0NOPE00", "start_ms": NOW_MS - 4 * DAY, "end_ms": NOW_MS})
    with pytest.raises(AslFailed):
        run(wf, job_id)
    job = wf.jobs.get(job_id)
    assert job.status == JobStatus.FAILED
    assert job.error == "SearchRejected: the target plate was not seen in this period"
