"""The search API's rules: justification, age tiers, visibility, audit — on in-memory fakes."""

import hashlib

import pytest
from anpr.kernel.auth import Caller, Forbidden
from anpr.kernel.errors import BadRequest, Conflict, NotFound
from anpr.search.models import JobStatus, SearchResult, SubmitRequest
from anpr.search.plan import CostBounds
from anpr.search.results import export_key, put_result
from pydantic import ValidationError

from tests.fakes.search import in_memory_search_service
from tests.helpers import NOW_MS

DAY = 86_400_000
INVESTIGATOR = Caller("sub-ivan", "ivan", frozenset({"investigator"}))
COLLEAGUE = Caller("sub-olga", "olga", frozenset({"investigator"}))
SUPERVISOR = Caller("sub-sam", "sam", frozenset({"supervisor"}))


@pytest.fixture
def svc():
    return in_memory_search_service(NOW_MS)


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
    # AND the audit trail holds the SHA-256 of the file handed over (the link says it too)
    digest = hashlib.sha256(body).hexdigest()
    assert [e.detail["sha256"] for e in svc.audit.events[-2:]] == [digest, digest]
    assert link["sha256"] == digest
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
    assert (svc.audit.events[-1].action, svc.audit.events[-1].outcome) == ("search.cancelled", "denied")
    out = svc.cancel(INVESTIGATOR, job.job_id)
    assert out["status"] == "CANCELLED" and svc.starter.stopped == [job.execution_arn]
    with pytest.raises(Conflict):
        svc.cancel(INVESTIGATOR, job.job_id)


# -- the age tier at its edges (issue 11, finding 8) ----------------------------------------------
def convoy(start_ms, **params):
    body = {
        "type": "convoy",
        "params": {"plate": "1ABC234", "start_ms": start_ms, "end_ms": NOW_MS, **params},
        "case_ref": "PV-BRU-2026-001",
        "reason": "convoy of two vehicles, robbery",
    }
    return SubmitRequest.model_validate(body)


def test_a_convoy_window_reaching_past_30_days_needs_a_prosecutor_reference(svc):
    # GIVEN a convoy starting 30 days − 1 minute ago with a ±1,800 s window and no control days
    start = NOW_MS - 30 * DAY + 60_000
    # WHEN submitted without a prosecutor reference THEN 403: its first window reads 30.02-day-old reads
    with pytest.raises(Forbidden, match="prosecutor"):
        svc.submit(INVESTIGATOR, convoy(start, window_s=1800, control_days=0))
    # AND a 30-second window (which stays inside the month) is accepted
    assert svc.submit(INVESTIGATOR, convoy(start, window_s=30, control_days=0)).status == JobStatus.QUEUED


def test_an_ab_search_whose_second_place_is_older_needs_a_prosecutor_reference(svc):
    a = {"cameras": ["A"], "start_ms": NOW_MS - DAY, "end_ms": NOW_MS}
    b = {"cameras": ["B"], "start_ms": NOW_MS - 31 * DAY, "end_ms": NOW_MS - 30 * DAY}
    with pytest.raises(Forbidden, match="prosecutor"):
        svc.submit(INVESTIGATOR, request(type="ab", params={"a": a, "b": b}))


@pytest.mark.parametrize("end_ms", [NOW_MS + DAY, 7_258_118_400_000])  # tomorrow; the year 2200
def test_a_window_in_the_future_is_400_and_audited(svc, end_ms):
    params = {"plate": "1ABC234", "start_ms": end_ms - DAY, "end_ms": end_ms}
    with pytest.raises(BadRequest, match="future"):
        svc.submit(INVESTIGATOR, request(params=params))
    assert svc.starter.started == [] and svc.audit.events[-1].outcome == "denied"


# -- the cost bound (issue 11, finding 7) ---------------------------------------------------------
def partial(days, **params):
    body = {"pattern": "1A*", "start_ms": NOW_MS - days * DAY, "end_ms": NOW_MS, **params}
    return request(type="partial", params=body)


def test_a_29_day_national_partial_search_is_refused_saying_what_to_narrow(svc):
    # GIVEN 1A* over 29 days with no camera or zone limit (1.34 M partitions)
    # WHEN submitted THEN 400 with the estimate, the bound and how to narrow it; nothing started
    with pytest.raises(BadRequest) as err:
        svc.submit(INVESTIGATOR, partial(29))
    message = str(err.value)
    assert "1,336,352 partitions" in message and "cameras or zones" in message
    assert "at most 52 hours" in message
    assert svc.starter.started == [] and svc.audit.events[-1].outcome == "denied"


def test_the_estimate_is_in_the_job_and_its_status(svc):
    # GIVEN a one-day national partial search (46,112 partitions at the default limits)
    job = svc.submit(INVESTIGATOR, partial(1))
    # THEN the job says what it is expected to cost and on which engine
    est = svc.status(INVESTIGATOR, job.job_id)["estimate"]
    assert est["partitions"] == 46_112 and est["map"] == "distributed"
    assert est["read_units"] == 46_112 * 73
    # AND a camera-limited one costs a camera window per camera, inline
    small = svc.submit(INVESTIGATOR, partial(1, cameras=["A", "B"])).estimate
    assert (small["partitions"], small["map"]) == (2, "inline")


def test_the_per_user_daily_bound_counts_the_last_24_hours(svc):
    # GIVEN a daily bound of a bit more than two one-day national searches
    svc.bounds = CostBounds(user_read_units_per_day=7_000_000)
    svc.submit(INVESTIGATOR, partial(1))
    svc.submit(INVESTIGATOR, partial(0.5))
    # WHEN the same investigator asks for a third THEN 400 naming the daily bound
    with pytest.raises(BadRequest, match="daily bound"):
        svc.submit(INVESTIGATOR, partial(1))
    # AND a colleague's budget is their own
    assert svc.submit(COLLEAGUE, partial(1)).status == JobStatus.QUEUED


def test_bounds_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("ANPR_SEARCH_MAX_JOB_PARTITIONS", "10")
    from anpr.search.settings import SearchApiSettings

    settings = SearchApiSettings(
        table_searches="s",
        table_cameras="c",
        table_audit_trail="a",
        bucket_search_results="b",
        state_machine_search="arn",
    )
    assert settings.bounds().job_partitions == 10


# -- every view audited (issue 11, finding 9) -----------------------------------------------------
def test_status_views_are_audited_once_per_view_with_the_plate(svc):
    job = svc.submit(INVESTIGATOR, request())
    svc.status(INVESTIGATOR, job.job_id)
    svc.status(SUPERVISOR, job.job_id)
    viewed = [e for e in svc.audit.events if e.action == "search.status_viewed"]
    assert [(e.actor_id, e.outcome, e.plates) for e in viewed] == [
        ("sub-ivan", "allowed", ["1ABC234"]),
        ("sub-sam", "allowed", ["1ABC234"]),
    ]
    assert viewed[1].detail["owner"] == "sub-ivan"


@pytest.mark.parametrize("action", ["status", "results", "download", "cancel"])
def test_someone_elses_search_is_404_and_audited_as_denied(svc, action):
    job = svc.submit(INVESTIGATOR, request())
    call = {
        "status": lambda: svc.status(COLLEAGUE, job.job_id),
        "results": lambda: svc.results(COLLEAGUE, job.job_id),
        "download": lambda: svc.download(COLLEAGUE, job.job_id, "csv"),
        "cancel": lambda: svc.cancel(COLLEAGUE, job.job_id),
    }[action]
    with pytest.raises(NotFound):
        call()
    last = svc.audit.events[-1]
    assert (last.actor_id, last.outcome, last.resource) == ("sub-olga", "denied", f"search/{job.job_id}")


def test_an_unknown_search_is_404_and_audited_as_denied(svc):
    with pytest.raises(NotFound):
        svc.status(COLLEAGUE, "nope")
    assert svc.audit.events[-1].outcome == "denied"


# -- my searches (issue 17, item 2) ---------------------------------------------------------------
def test_list_shows_my_searches_and_supervisors_all_audited(svc):
    mine = svc.submit(INVESTIGATOR, request())
    theirs = svc.submit(
        COLLEAGUE, request(params={"plate": "2XYZ987", "start_ms": NOW_MS - DAY, "end_ms": NOW_MS})
    )
    out = svc.list(INVESTIGATOR)
    assert [j["job_id"] for j in out["items"]] == [mine.job_id] and not out["all_owners"]
    listed = svc.audit.events[-1]
    assert (listed.action, listed.plates) == ("search.listed", ["1ABC234"])
    everyone = svc.list(SUPERVISOR)
    assert {j["job_id"] for j in everyone["items"]} == {mine.job_id, theirs.job_id}
    assert svc.audit.events[-1].plates == ["1ABC234", "2XYZ987"]
    with pytest.raises(BadRequest):
        svc.list(INVESTIGATOR, limit=0)
