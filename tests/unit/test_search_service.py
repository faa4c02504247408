"""The search API's rules: justification, age tiers, visibility, audit — on in-memory fakes."""

import pytest
from anpr.kernel.auth import Caller, Forbidden
from anpr.kernel.errors import BadRequest, Conflict, NotFound
from anpr.search.models import JobStatus, SearchResult, SubmitRequest
from anpr.search.results import export_key, put_result
from anpr.search.service import SearchService
from pydantic import ValidationError

from tests.fakes.accountability import InMemoryAuditTrail
from tests.fakes.search import InMemoryResultStore, InMemorySearchJobRepository
from tests.helpers import NOW_MS

DAY = 86_400_000
INVESTIGATOR = Caller("sub-ivan", "ivan", frozenset({"investigator"}))
COLLEAGUE = Caller("sub-olga", "olga", frozenset({"investigator"}))
SUPERVISOR = Caller("sub-sam", "sam", frozenset({"supervisor"}))


class RecordingStarter:
    def __init__(self):
        self.started, self.stopped = [], []

    def start(self, job_id):
        self.started.append(job_id)
        return f"arn:aws:states:eu-west-1:123456789012:execution:search:{job_id}"

    def stop(self, arn, cause):
        self.stopped.append(arn)


@pytest.fixture
def svc():
    ids = iter(f"job{i}" for i in range(100))
    return SearchService(
        InMemorySearchJobRepository(),
        InMemoryResultStore(),
        RecordingStarter(),
        InMemoryAuditTrail(),
        clock=lambda: NOW_MS,
        new_id=lambda: next(ids),
    )


def request(days_back=2, **kw):
    body = {
        "type": "trajectory",
        "params": {"plate": "1-ABC-234", "start_ms": NOW_MS - days_back * DAY, "end_ms": NOW_MS},
        "case_ref": "PV-BRU-2026-001",
        "reason": "burglary series, suspect vehicle",
    }
    body.update(kw)
    return SubmitRequest.model_validate(body)


def test_submit_starts_a_job_and_audits_it(svc):
    job = svc.submit(INVESTIGATOR, request())
    assert job.status == JobStatus.QUEUED and svc.starter.started == [job.job_id]
    assert job.execution_arn.endswith(job.job_id)
    (event,) = svc.audit.events
    assert (event.action, event.outcome, event.plates, event.case_ref) == (
        "search.submitted",
        "allowed",
        ["1ABC234"],
        "PV-BRU-2026-001",
    )


@pytest.mark.parametrize("missing", [{"case_ref": ""}, {"reason": "short"}])
def test_submit_without_case_or_reason_is_400_and_audited_as_denied(svc, missing):
    with pytest.raises(BadRequest):
        svc.submit(INVESTIGATOR, request(**missing))
    assert svc.starter.started == []
    assert svc.audit.events[0].outcome == "denied"


def test_submit_older_than_the_admin_window_needs_a_prosecutor_decision(svc):
    # GIVEN a search reaching 45 days back WHEN no prosecutor reference is given THEN 403 with the reason
    with pytest.raises(Forbidden, match="prosecutor"):
        svc.submit(INVESTIGATOR, request(days_back=45))
    assert svc.audit.events[-1].outcome == "denied"
    assert "prosecutor" in svc.audit.events[-1].detail["why"]
    # AND with one it is accepted
    job = svc.submit(INVESTIGATOR, request(days_back=45, prosecutor_ref="PG-BRU-77/26"))
    assert job.prosecutor_ref == "PG-BRU-77/26"


def test_convoy_control_days_count_towards_the_age_check(svc):
    body = {
        "type": "convoy",
        "params": {"plate": "1ABC234", "start_ms": NOW_MS - 28 * DAY, "end_ms": NOW_MS, "control_days": 5},
        "case_ref": "PV-1",
        "reason": "convoy of two vehicles, robbery",
    }
    with pytest.raises(Forbidden):
        svc.submit(INVESTIGATOR, SubmitRequest.model_validate(body))


def test_invalid_parameters_are_rejected(svc):
    with pytest.raises(ValidationError):
        svc.submit(
            INVESTIGATOR, request(params={"plate": "1ABC234", "start_ms": NOW_MS, "end_ms": NOW_MS - 1})
        )


def _succeed(svc, job_id, items=None):
    job = svc.jobs.start(job_id, NOW_MS)
    from anpr.search import synthetic as syn

    from tests.helpers import camera

    sightings = syn.drive("1ABC234", [camera("A", lat=50.8), camera("B", lat=50.9)], NOW_MS - DAY, 60_000)
    result = SearchResult(
        provenance=job.provenance(NOW_MS),
        sightings=sightings,
        items=items or [s.model_dump(mode="json") for s in sightings],
    )
    put_result(svc.store, result)
    svc.store.put(export_key(job_id, "csv"), b"# search\nread_id\n", "text/csv")
    svc.jobs.finish(job_id, JobStatus.SUCCEEDED, NOW_MS, len(result.items))


def test_results_are_paged_and_viewing_is_audited_with_the_plates(svc):
    job = svc.submit(INVESTIGATOR, request())
    with pytest.raises(Conflict):  # not finished yet
        svc.results(INVESTIGATOR, job.job_id)
    _succeed(svc, job.job_id)
    page = svc.results(INVESTIGATOR, job.job_id, page=1, page_size=1)
    assert (page["total"], page["next_page"], len(page["items"])) == (2, 2, 1)
    assert page["provenance"]["case_ref"] == "PV-BRU-2026-001"
    viewed = svc.audit.events[-1]
    assert viewed.action == "search.results_viewed" and viewed.plates == ["1ABC234"]


def test_downloads_are_links_or_inline_and_audited(svc):
    job = svc.submit(INVESTIGATOR, request())
    _succeed(svc, job.job_id)
    link = svc.download(INVESTIGATOR, job.job_id, "csv")
    assert link["url"].startswith("memory://") and link["filename"].endswith(".csv")
    body, ctype = svc.download(INVESTIGATOR, job.job_id, "csv", inline=True)
    assert body.startswith(b"# search") and ctype == "text/csv"
    assert [e.action for e in svc.audit.events[-2:]] == ["search.results_downloaded"] * 2
    assert svc.audit.events[-1].plates == ["1ABC234"]
    with pytest.raises(BadRequest):
        svc.download(INVESTIGATOR, job.job_id, "exe")


def test_other_investigators_do_not_see_a_search_supervisors_do(svc):
    job = svc.submit(INVESTIGATOR, request())
    with pytest.raises(NotFound):
        svc.status(COLLEAGUE, job.job_id)
    assert svc.status(SUPERVISOR, job.job_id)["status"] == "QUEUED"


def test_cancel_by_the_owner_only(svc):
    job = svc.submit(INVESTIGATOR, request())
    with pytest.raises(Forbidden):
        svc.cancel(SUPERVISOR, job.job_id)
    out = svc.cancel(INVESTIGATOR, job.job_id)
    assert out["status"] == "CANCELLED" and svc.starter.stopped == [job.execution_arn]
    with pytest.raises(Conflict):
        svc.cancel(INVESTIGATOR, job.job_id)
