"""Issue 16 acceptance, on the local runtime: a four-week partial-plate search and a one-month
convoy search, submitted through the REST API, run through the search state machine on DuckDB
over the Parquet copy the Reads stream fed, and their results equal the DynamoDB path's for the
same query (the same workflow with a policy that keeps every range on the reads table).

Time: the reads are placed relative to this process's clock, which the runtime's workers share
(under ``faketime`` too); the API and the workflow take it from their injected system clock.
"""

from __future__ import annotations

import time

import pytest
from anpr.analytics.models import READS_PREFIX
from anpr.reads.cameras import DynamoCameraRegistry
from anpr.reads.repository import DynamoPlateReadRepository
from anpr.search import synthetic as syn
from anpr.search.models import JobStatus
from anpr.search.results import S3ResultStore, get_result
from anpr.search.settings import SearchTaskSettings
from anpr.search.wiring import task_services

from local.demo_features import CASE, Api, setup_people
from local.resources import REGION
from local.runtime import LocalRuntime
from tests.analytics.helpers import DAY, HOUR, plate_read
from tests.unit.test_search_workflow import run as walk_search

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-runtime")]

INVESTIGATOR = "inspector.peeters"
PROSECUTOR = {"prosecutor_ref": "PR-BRU-2026-0042"}  # a month back reaches past the admin window


def _month(now_ms: int):
    """10 cameras in two zones, 32 days of traffic, a convoy and partial-plate look-alikes."""
    cams = syn.cameras_on_a_line(8)
    liege = syn.cameras_on_a_line(2, zone="LIEGE", lat0=50.6, lon0=5.5, prefix="LGE")
    day0 = now_ms - now_ms % DAY - 31 * DAY + 7 * HOUR
    reads = list(syn.background(300, cams + liege, now_ms - 32 * DAY, now_ms - HOUR, syn.plate_pool(300)))
    for d in range(1, 30, 3):  # a commuter target every third day; a regular 20 s behind it,
        reads += syn.drive("1TGT001", cams[:6], day0 + d * DAY, 120_000)
        for day in (d - 1, d):  # who drives the same road at that time every day (control day too)
            reads += syn.drive("1REG002", cams[:6], day0 + day * DAY + 20_000, 120_000)
    for d in (25, 28):  # the partner, in the last week only
        reads += syn.drive("1PAR003", cams[:6], day0 + d * DAY + 40_000, 120_000)
    # partial-plate look-alikes over the four weeks, at the searched camera and elsewhere
    plates = ["1ABC234", "1ABD234", "1ABC2345", "2ABC234", "1AB234", "1XBC234", "1ABZ239"]
    places = [liege[0], liege[0], liege[0], liege[0], liege[0], liege[1], cams[3]]
    for i, (p, cam) in enumerate(zip(plates, places, strict=True)):
        t = now_ms - (2 + 3 * i) * DAY
        reads.append(syn.sighting(p, cam, t, confidence=0.6, alternatives=(p[:-1] + "8",)))
    reads.append(syn.sighting("1ABE231", liege[0], now_ms - 29 * DAY))  # just outside four weeks
    return cams + liege, [plate_read(s) for s in reads]


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    rt = LocalRuntime(workdir=tmp_path_factory.mktemp("analytics"), prefix="anpr-an")
    rt.start()
    try:
        now_ms = int(time.time() * 1000)
        cameras, reads = _month(now_ms)
        DynamoCameraRegistry(rt.name("table", "Cameras"), REGION).put_many(cameras)
        # GIVEN a month of reads stored in the reads table (the ingest repository), in two
        # deliveries, which the Reads stream feeds to the analytics feed (the Parquet layout)
        repository = DynamoPlateReadRepository(rt.name("table", "Reads"), REGION)
        rt.run_event_sources()
        for half in (reads[::2], reads[1::2]):
            repository.put_many(half)
            assert rt.wait_idle(timeout_s=60)
        assert rt.stream_pollers[0].records == len(reads) and rt.stream_pollers[0].dead_letters == []
        # AND compaction (every 15 min on the runtime's tick) merged the hours written in several batches
        compacted = rt.compact_analytics()
        yield rt, setup_people(rt), now_ms, reads, compacted
    finally:
        rt.stop()


def _submit(api: Api, type_: str, params: dict, **extra) -> dict:
    status, job = api.call(
        INVESTIGATOR, "POST", "/searches", {"type": type_, "params": params, **CASE, **extra}
    )
    assert status == 202, (status, job)
    deadline = time.monotonic() + 60
    while job.get("status") not in ("SUCCEEDED", "FAILED", "CANCELLED") and time.monotonic() < deadline:
        time.sleep(0.3)
        job = api.call(INVESTIGATOR, "GET", f"/searches/{job['job_id']}")[1]
    assert job["status"] == "SUCCEEDED", job
    return job


def _results(api: Api, job_id: str) -> tuple[dict, list[dict]]:
    items, page, first = [], 1, None
    while page:
        status, body = api.call(INVESTIGATOR, "GET", f"/searches/{job_id}/results?page={page}&page_size=1000")
        assert status == 200, body
        first, page = first or body, body["next_page"]
        items += body["items"]
    return first, items


def _on_the_reads_table(rt: LocalRuntime, job_id: str):
    """The same job through the same state machine, with a policy keeping ranges up to 31 days
    on the reads table: the DynamoDB path."""
    settings = SearchTaskSettings(
        table_reads=rt.name("table", "Reads"),
        table_cameras=rt.name("table", "Cameras"),
        table_searches=rt.name("table", "Searches"),
        bucket_search_results=rt.name("bucket", "SearchResults"),
        topic_search_events=rt.name("topic", "SearchEvents"),
        retention_days=rt.stage.retention_days,
        analytics_engine="duckdb",
        analytics_root=str(rt.analytics_root),
        analytics_short_range_h=24 * 31,
    )
    wf = task_services(settings).workflow
    twin = wf.jobs.get(job_id).model_copy(update={"job_id": f"{job_id}-ddb", "status": JobStatus.QUEUED})
    wf.jobs.create(twin)
    walk_search(wf, twin.job_id)
    return get_result(wf.results, twin.job_id)


#: what the results route adds to each row of the stored result (anpr.search.service.results)
_PAGE_ONLY = {"track", "crop_url", "crop_read_id"}


def _same(rt: LocalRuntime, api: Api, job: dict):
    """THEN: DuckDB stated and used; the REST results equal the DynamoDB path's, field for field."""
    assert job["estimate"]["engine"] == "analytics" and job["estimate"]["athena_usd"] > 0
    head, items = _results(api, job["job_id"])
    engine = head["summary"].pop("engine")
    assert engine["engine"] == "analytics"
    on_copy = get_result(S3ResultStore(rt.name("bucket", "SearchResults"), rt.client("s3")), job["job_id"])
    on_table = _on_the_reads_table(rt, job["job_id"])
    assert on_table.summary["engine"]["engine"] == "dynamodb"
    on_table.summary.pop("engine")
    # the REST page adds per-row presentation (each vehicle's track, a crop link) to the result
    shown = [{k: v for k, v in i.items() if k not in _PAGE_ONLY} for i in items]
    assert shown == on_table.items and head["summary"] == on_table.summary
    assert [s.model_dump() for s in on_copy.sightings] == [s.model_dump() for s in on_table.sightings]
    return items


def test_the_stream_fed_the_day_hour_layout_and_compaction_kept_every_read(platform):
    rt, _, _, reads, compacted = platform
    files = list((rt.analytics_root / READS_PREFIX).glob("day=*/hour=*/*.parquet"))
    days = {f.parent.parent.name for f in files}
    assert len(days) >= 30 and compacted and all(c.rows >= 2 for c in compacted)
    assert rt.sweep_analytics() == []  # a month is within the stage's retention: nothing swept
    import duckdb

    ((n, distinct),) = duckdb.sql(
        f"SELECT count(*), count(DISTINCT read_id) FROM read_parquet('{rt.analytics_root}/{READS_PREFIX}**/*.parquet')"
    ).fetchall()
    assert distinct == len(reads) and n >= distinct


def test_a_four_week_partial_plate_search_runs_on_duckdb_with_the_reads_tables_answer(platform):
    rt, api, now_ms, _, _ = platform
    params = {
        "pattern": "1AB?23*",
        "start_ms": now_ms - 28 * DAY,
        "end_ms": now_ms,
        # one camera: the reads table's side is a camera × hour scan (673 queries on moto, not
        # the 1.3 M partition queries of a national pattern)
        "cameras": ["LGE-000"],
    }
    job = _submit(api, "partial", params)
    hours = 28 * 24 + 1  # the day/hour partitions read, not 1.3 M reads-table queries
    assert job["progress"] == {"partitions_total": hours, "partitions_done": hours, "percent": 100.0}
    items = _same(rt, api, job)
    assert sorted(i["plate"] for i in items) == ["1ABC234", "1ABC2345", "1ABD234"]


def test_a_one_month_convoy_search_runs_on_duckdb_with_the_reads_tables_answer(platform):
    rt, api, now_ms, _, _ = platform
    params = {
        "plate": "1TGT001",
        "start_ms": now_ms - 29 * DAY,  # with its control day: a month of reads
        "end_ms": now_ms,
        "window_s": 60,
        "min_cameras": 3,
        "control_days": 1,
    }
    job = _submit(api, "convoy", params, **PROSECUTOR)
    items = _same(rt, api, job)
    ranked = [i["plate"] for i in sorted(items, key=lambda i: i["rank"])]
    # the partner first: the regular rode with the target on ten days, but drives there daily
    # (seen in the control windows too), so it ranks below the partner's two days
    assert ranked[0] == "1PAR003"
