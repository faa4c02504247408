"""At submit, the search API states which engine will run a search and what it will cost, in
that engine's terms, and bounds it there: a month-long national pattern is refused on the reads
table (1.3 M partitions) but accepted on the analytics copy (≈ 24 GB scanned, ≈ $0.12)."""

from __future__ import annotations

import pytest
from anpr.analytics.engine import ScanBounds
from anpr.analytics.service import AnalyticsCost
from anpr.kernel.errors import BadRequest
from anpr.search.models import SubmitRequest

from tests.analytics.helpers import DAY, HOUR
from tests.helpers import NOW_MS
from tests.unit.test_search_service import INVESTIGATOR, svc  # noqa: F401  (the API service fixture)

GB = 1024**3


@pytest.fixture
def with_copy(svc):  # noqa: F811
    svc.analytics = AnalyticsCost()
    return svc


def partial(range_ms: int, **kw) -> SubmitRequest:
    return SubmitRequest.model_validate(
        {
            "type": "partial",
            "params": {"pattern": "1AB?2*", "start_ms": NOW_MS - range_ms, "end_ms": NOW_MS},
            "case_ref": "PV-BRU-2026-001",
            "reason": "burglary series, suspect vehicle",
            **kw,
        }
    )


def test_a_four_week_national_pattern_is_accepted_on_the_copy_with_its_scan_and_price(with_copy):
    # GIVEN the API with the analytics copy configured WHEN a four-week national pattern is submitted
    job = with_copy.submit(INVESTIGATOR, partial(28 * DAY))
    # THEN the job states the engine, why, and what it will scan and cost (not reads-table units)
    est = job.estimate
    assert est["engine"] == "analytics" and "national pattern" in est["reason"]
    assert est["partitions"] == 28 * 24 + 1 and est["read_units"] == 0 and est["items"] == 1
    assert 20 * GB < est["scan_bytes"] < 30 * GB and 0.05 < est["athena_usd"] < 0.5


def test_without_the_copy_the_same_search_is_refused_by_the_reads_table_bounds(svc):  # noqa: F811
    with pytest.raises(BadRequest, match="partitions"):
        svc.submit(INVESTIGATOR, partial(28 * DAY))


def test_a_short_search_stays_on_the_reads_table_with_its_bounds_and_says_why(with_copy):
    job = with_copy.submit(INVESTIGATOR, partial(2 * HOUR))
    assert job.estimate["engine"] == "dynamodb" and "short range" in job.estimate["reason"]
    assert job.estimate["read_units"] > 0
    # a national pattern over 30 hours is long enough for the copy: no reads-table refusal
    assert with_copy.submit(INVESTIGATOR, partial(30 * HOUR)).estimate["engine"] == "analytics"


def test_scan_bounds_refuse_a_search_and_a_day_of_searches_above_them(svc):  # noqa: F811
    # GIVEN a job bound of 30 GB and a daily bound of 50 GB per investigator
    svc.analytics = AnalyticsCost(bounds=ScanBounds(job_bytes=30 * GB, user_bytes_per_day=50 * GB))
    # WHEN a 300-day pattern is submitted THEN it is refused, saying how to narrow it
    with pytest.raises(BadRequest, match="scan at most 30 GB. Narrow it"):
        svc.submit(INVESTIGATOR, partial(300 * DAY, prosecutor_ref="PR-BRU-2026-7"))
    # AND two four-week searches pass (≈ 24 GB each) but a third goes over the day's bound
    svc.submit(INVESTIGATOR, partial(28 * DAY))
    svc.submit(INVESTIGATOR, partial(28 * DAY))
    with pytest.raises(BadRequest, match="daily bound"):
        svc.submit(INVESTIGATOR, partial(28 * DAY))
    assert [e.outcome for e in svc.audit.events] == ["denied", "allowed", "allowed", "denied"]
