"""The search state machine, walked step by step over in-memory fakes with the ASL file's own
states and JSON (tests/integration/sfn_local.walk)."""

import io
import json

import pytest
from anpr.kernel.db import StorageError
from anpr.kernel.platform import ROOT
from anpr.search import exports
from anpr.search import synthetic as syn
from anpr.search.models import JobStatus, SearchJob, parse_query
from anpr.search.plan import PlanLimits
from anpr.search.results import export_key, get_result
from anpr.search.workflow import SearchWorkflow
from PIL import Image

from tests.fakes.reads import InMemoryCameraRegistry
from tests.fakes.search import (
    InMemoryNotifier,
    InMemoryReadSource,
    InMemoryResultStore,
    InMemorySearchJobRepository,
)
from tests.helpers import NOW_MS
from tests.integration.sfn_local import AslFailed, walk

HOUR = 3_600_000
ASL = json.loads((ROOT / "infra/statemachines/search.asl.json").read_text())
CAMS = syn.cameras_on_a_line(6)


class FlakySource(InMemoryReadSource):
    def __init__(self, sightings, failures):
        super().__init__(sightings)
        self.failures = list(failures)

    def partition(self, *a, **kw):
        if self.failures:
            raise self.failures.pop(0)
        return super().partition(*a, **kw)

    def plate(self, *a, **kw):
        if self.failures:
            raise self.failures.pop(0)
        return super().plate(*a, **kw)


def make(source=None, limits=None):
    source = source if source is not None else InMemoryReadSource()
    return SearchWorkflow(
        InMemorySearchJobRepository(),
        InMemoryResultStore("results"),
        source,
        InMemoryCameraRegistry(CAMS),
        InMemoryNotifier(),
        limits=limits or PlanLimits(),
        clock=lambda: NOW_MS,
    )


def add_job(wf, search_type, params, job_id="j1", **kw):
    query = parse_query(search_type, params)
    job = SearchJob(
        job_id=job_id,
        type=search_type,
        query=query.model_dump(mode="json"),
        owner_id="sub-ivan",
        owner_name="ivan",
        owner_groups=["investigator"],
        case_ref=kw.pop("case_ref", "PV-1"),
        reason="hit and run on the ring road",
        submitted_ms=NOW_MS,
        **kw,
    )
    wf.jobs.create(job)
    return job_id


def run(wf, job_id, trace=None):
    def invoke(resource, payload):
        assert resource == "${SearchTaskArn}"
        return json.loads(json.dumps(wf.dispatch(payload)))  # JSON in, JSON out, like Lambda

    return walk(
        ASL, invoke, {"job_id": job_id}, read_items=lambda b, k: json.loads(wf.results.get(k)), trace=trace
    )


def test_a_trajectory_job_runs_to_succeeded_with_results_and_exports():
    truth = syn.drive("1ABC234", CAMS, NOW_MS - 5 * HOUR, 60_000)
    wf = make(InMemoryReadSource(truth))
    job_id = add_job(wf, "trajectory", {"plate": "1ABC234", "start_ms": NOW_MS - 6 * HOUR, "end_ms": NOW_MS})
    trace = []
    out = run(wf, job_id, trace)
    job = wf.jobs.get(job_id)
    assert job.status == JobStatus.SUCCEEDED and job.result_count == 6
    assert job.public()["progress"]["percent"] == 100.0
    assert trace[:4] == ["Validate", "Plan", "ChooseFanOut", "QueryPartitions"] and trace[-1] == "Finish"
    assert out["finished"]["status"] == "SUCCEEDED"
    result = get_result(wf.results, job_id)
    assert [i["camera_id"] for i in result.items] == [c.camera_id for c in CAMS]
    assert result.provenance["case_ref"] == "PV-1" and result.provenance["run_by"]["username"] == "ivan"
    for fmt in ("csv", "geojson", "kml", "html", "png"):
        assert wf.results.get(export_key(job_id, fmt))
    assert wf.notifier.sent[-1]["status"] == "SUCCEEDED" and "plate" not in json.dumps(wf.notifier.sent)


def test_a_large_plan_takes_the_distributed_map_with_items_from_s3():
    found = [syn.sighting("1ABC234", CAMS[0], NOW_MS - 30 * 60_000)]
    wf = make(InMemoryReadSource(found), limits=PlanLimits(inline_max_items=10))
    job_id = add_job(wf, "partial", {"pattern": "1AB*", "start_ms": NOW_MS - HOUR, "end_ms": NOW_MS})
    trace = []
    run(wf, job_id, trace)
    assert "QueryPartitionsDistributed" in trace
    assert wf.jobs.get(job_id).status == JobStatus.SUCCEEDED
    assert [i["plate"] for i in get_result(wf.results, job_id).items] == ["1ABC234"]
    assert len(json.loads(wf.results.get(f"searches/{job_id}/plan.json"))) == 61


def test_a_transient_storage_error_in_a_partition_is_retried():
    wf = make(FlakySource(syn.drive("1ABC234", CAMS, NOW_MS - HOUR, 60_000), [StorageError("throttled")]))
    job_id = add_job(wf, "trajectory", {"plate": "1ABC234", "start_ms": NOW_MS - 2 * HOUR, "end_ms": NOW_MS})
    run(wf, job_id)
    assert wf.jobs.get(job_id).status == JobStatus.SUCCEEDED and wf.jobs.get(job_id).result_count == 6


def test_a_failing_partition_fails_the_job_with_a_clear_error():
    wf = make(FlakySource([], [ValueError("partition T#202611181000#07 is corrupt")]))
    job_id = add_job(wf, "partial", {"pattern": "1AB*", "start_ms": NOW_MS - HOUR, "end_ms": NOW_MS})
    trace = []
    with pytest.raises(AslFailed):
        run(wf, job_id, trace)
    job = wf.jobs.get(job_id)
    assert job.status == JobStatus.FAILED
    assert job.error == "ValueError: partition T#202611181000#07 is corrupt"
    assert trace[-3:] == ["MarkFailed", "WasCancelled", "Failed"]


def test_a_job_whose_justification_does_not_hold_is_rejected_at_validation():
    wf = make()
    job_id = add_job(
        wf, "trajectory", {"plate": "1ABC234", "start_ms": NOW_MS - 40 * 24 * HOUR, "end_ms": NOW_MS}
    )
    with pytest.raises(AslFailed):
        run(wf, job_id)
    job = wf.jobs.get(job_id)
    assert job.status == JobStatus.FAILED and job.error.startswith("SearchRejected: ")
    assert "prosecutor" in job.error


def test_a_cancelled_job_stops_and_stays_cancelled():
    wf = make(InMemoryReadSource(syn.drive("1ABC234", CAMS, NOW_MS - HOUR, 60_000)))
    job_id = add_job(wf, "trajectory", {"plate": "1ABC234", "start_ms": NOW_MS - 2 * HOUR, "end_ms": NOW_MS})
    original_plan = wf.plan

    def plan_then_cancel(jid):
        out = original_plan(jid)
        wf.jobs.finish(jid, JobStatus.CANCELLED, NOW_MS, error="cancelled by the investigator")
        return out

    wf.plan = plan_then_cancel
    trace = []
    run(wf, job_id, trace)  # ends in the Succeed state "Cancelled"
    assert trace[-1] == "Cancelled"
    assert wf.jobs.get(job_id).status == JobStatus.CANCELLED
    assert wf.results.keys(f"searches/{job_id}/parts/") == []


def test_unknown_step_is_an_error():
    with pytest.raises(ValueError):
        make().dispatch({"step": "drop-table"})


class FixedCrops:
    """Every read gets the same small PNG (the port's contract: read id → image bytes)."""

    def __init__(self):
        buf = io.BytesIO()
        Image.new("RGB", (100, 24), (240, 240, 240)).save(buf, format="PNG")
        self.png, self.asked = buf.getvalue(), []

    def crops(self, sightings):
        self.asked.extend(s.read_id for s in sightings)
        return {s.read_id: self.png for s in sightings}


def test_the_html_export_carries_plate_crops_and_camera_places():
    # GIVEN a workflow with a crop source and named cameras
    truth = syn.drive("1ABC234", CAMS, NOW_MS - 5 * HOUR, 60_000)
    wf = make(InMemoryReadSource(truth))
    wf.crops = FixedCrops()
    job_id = add_job(wf, "trajectory", {"plate": "1ABC234", "start_ms": NOW_MS - 6 * HOUR, "end_ms": NOW_MS})
    # WHEN it runs THEN the HTML inlines one crop per sighting and names the cameras
    run(wf, job_id)
    page = wf.results.get(export_key(job_id, "html")).decode()
    assert page.count('src="data:image/png;base64,') == 6
    assert f"{CAMS[0].name} ({CAMS[0].camera_id})" in page
    # AND the CSV times are Brussels local time
    _, rows = exports.read_csv(wf.results.get(export_key(job_id, "csv")))
    assert rows[0]["time_brussels"].endswith("+01:00")
