"""Accountability logic with in-memory fakes: hash chain, oversight report, probes,
legal holds, transparency figures."""

import math

import pytest
from anpr.accountability.access_report import read_csv, who_accessed
from anpr.accountability.legal_hold import LegalHoldService
from anpr.accountability.models import (
    GENESIS,
    Answer,
    AuditRecord,
    PlaceHold,
    ProbePolicy,
    ProbeStatus,
    ReleaseHold,
    Verdict,
)
from anpr.accountability.probes import ProbeService, draw
from anpr.accountability.transparency import figures
from anpr.accountability.verify import verify_chain, verify_store
from anpr.kernel.audit import AuditEvent
from anpr.kernel.auth import Caller, Forbidden
from anpr.kernel.errors import BadRequest, Conflict

from tests.fakes.accountability import (
    InMemoryAuditStore,
    InMemoryHoldableReads,
    InMemoryHoldStore,
    InMemoryProbeStore,
)
from tests.helpers import NOW_MS, camera

DAY_MS = 86_400_000


class Clock:
    def __init__(self, now: int = NOW_MS):
        self.now = now

    def __call__(self) -> int:
        return self.now

    def advance(self, days: float) -> None:
        self.now += int(days * DAY_MS)


def caller(user: str, *groups: str) -> Caller:
    return Caller(user_id=f"sub-{user}", username=user, groups=frozenset(groups))


def search(store, user: str, at_ms: int, plate: str = "1ABC234", kind: str = "plate") -> AuditRecord:
    return store.record(
        AuditEvent(
            action="search.submitted", actor_id=f"sub-{user}", actor_name=user, roles=["investigator"],
            resource=f"search/{at_ms}", plates=[plate], case_ref="PV-2026-001", reason="burglary follow-up",
            detail={"type": kind}, at_ms=at_ms,
        )
    )  # fmt: skip


# -- hash chain -------------------------------------------------------------------------


@pytest.fixture
def chain():
    store = InMemoryAuditStore()
    for i in range(5):
        search(store, "alice", NOW_MS + i)
    return store


def test_an_untouched_chain_verifies(chain):
    report = verify_store(chain, chain.archive)
    assert report.ok and report.checked == 5 and report.head_seq == 5
    assert chain.chain[0].prev_hash == GENESIS


def test_an_altered_record_is_detected(chain):
    # GIVEN someone rewrites the reason of record 3 in place
    rec = chain.chain[2]
    chain.chain[2] = rec.model_copy(update={"body": rec.body.replace("burglary", "curiosity")})
    # THEN the chain no longer verifies, and says where
    report = verify_chain(chain.records())
    assert not report.ok
    assert [(p.seq, p.kind) for p in report.problems] == [(3, "altered")]


def test_an_altered_record_with_a_recomputed_hash_still_breaks_the_next_link(chain):
    rec = chain.chain[2]
    forged = AuditRecord.build(rec.seq, rec.prev_hash, rec.body.replace("burglary", "curiosity"))
    chain.chain[2] = forged
    kinds = {(p.seq, p.kind) for p in verify_chain(chain.records()).problems}
    assert (4, "broken_link") in kinds
    # and the locked mirror disagrees with the table
    assert (3, "archive_mismatch") in {(p.seq, p.kind) for p in verify_store(chain, chain.archive).problems}


def test_a_deleted_record_is_detected(chain):
    del chain.chain[1]
    kinds = {(p.seq, p.kind) for p in verify_chain(chain.records()).problems}
    assert (2, "missing") in kinds and (3, "broken_link") in kinds


def test_a_deleted_tail_is_detected_against_the_archive(chain):
    del chain.chain[-1]
    assert verify_chain(chain.records()).ok  # the table alone cannot tell
    report = verify_store(chain, chain.archive)
    assert not report.ok and (5, "missing") in {(p.seq, p.kind) for p in report.problems}


def test_reordered_records_are_detected(chain):
    chain.chain[1], chain.chain[2] = chain.chain[2], chain.chain[1]
    kinds = {p.kind for p in verify_chain(chain.records()).problems}
    assert "out_of_order" in kinds or "broken_link" in kinds
    assert not verify_chain(chain.records()).ok


def test_the_archive_is_write_once(chain):
    from anpr.kernel.db import StorageError

    with pytest.raises(StorageError):
        chain.archive.put(chain.chain[0])


# -- who accessed plate X ---------------------------------------------------------------


def test_who_accessed_lists_every_access_to_that_plate_and_only_those():
    store = InMemoryAuditStore()
    search(store, "alice", NOW_MS, plate="1ABC234")
    search(store, "bob", NOW_MS + 1, plate="2XYZ999")
    store.record(AuditEvent(action="alert.viewed", actor_id="sub-carol", actor_name="carol", resource="alert/9",
                            plates=["1-abc-234", "2XYZ999"], at_ms=NOW_MS + 2))  # fmt: skip
    store.record(AuditEvent(action="search.results_downloaded", actor_id="sub-alice", actor_name="alice",
                            plates=["1ABC234"], case_ref="PV-2026-001", reason="export for the file",
                            at_ms=NOW_MS + 3))  # fmt: skip
    report = who_accessed(store, "1-ABC-234", now_ms=NOW_MS + 10)
    assert [(r.actor_name, r.action) for r in report.accesses] == [
        ("alice", "search.submitted"),
        ("carol", "alert.viewed"),
        ("alice", "search.results_downloaded"),
    ]
    assert all(r.intact for r in report.accesses)
    provenance, rows = read_csv(report.to_csv())
    assert [r["actor_name"] for r in rows] == ["alice", "carol", "alice"] and list(rows[0])[:4] == [
        "seq",
        "at",
        "at_ms",
        "action",
    ]
    assert provenance["rows"] == "3" and "1ABC234" in provenance["report"]


# -- probes -----------------------------------------------------------------------------


def probes_with(searches: int, policy: ProbePolicy, clock: Clock):
    store = InMemoryAuditStore()
    for i in range(searches):
        search(store, f"officer{i % 7}", clock.now - DAY_MS + 1000 + i)
    return ProbeService(InMemoryProbeStore(), store, store, policy, clock), store


def test_a_seeded_draw_takes_the_configured_rate_and_is_reproducible():
    clock = Clock()
    policy = ProbePolicy(rate=0.05, min_per_week=0, seed="demo")
    service, _ = probes_with(400, policy, clock)
    drawn = service.draw_period(period_days=1)
    assert len(drawn) == math.ceil(0.05 * 400) == 20
    again, _ = probes_with(400, policy, Clock())
    assert [p.probe_id for p in again.draw_period(1)] == [p.probe_id for p in drawn]
    assert service.draw_period(1) == []  # re-running the same period adds nothing twice


def test_the_weekly_minimum_applies_when_there_are_few_searches():
    policy = ProbePolicy(rate=0.01, min_per_week=14)
    assert policy.sample_size(searches=50, period_days=1) == 2  # 14 a week → 2 a day
    assert policy.sample_size(searches=1, period_days=1) == 1  # never more than exist
    assert policy.sample_size(searches=50, period_days=7) == 14


def test_the_draw_is_uniform_over_searches():
    clock = Clock()
    _, store = probes_with(200, ProbePolicy(rate=0.5, min_per_week=0, seed="s"), clock)
    picked = draw(store.chain, ProbePolicy(rate=0.5, min_per_week=0, seed="s"), 0, 1)
    assert len(picked) == 100 and len({r.seq for r in picked}) == 100


def test_a_supervisor_answers_a_probe():
    clock = Clock()
    service, store = probes_with(10, ProbePolicy(rate=1, seed="x"), clock)
    probe = service.draw_period(1)[0]
    answered = service.answer(
        caller("sam", "supervisor"), probe.probe_id, Answer(verdict="justified", comment="case file checked")
    )
    assert answered.status == ProbeStatus.ANSWERED and answered.verdict == Verdict.JUSTIFIED
    assert store.events[-1].action == "probe.answered" and store.events[-1].actor_name == "sam"
    with pytest.raises(Conflict):
        service.answer(
            caller("sue", "supervisor"),
            probe.probe_id,
            Answer(verdict="not_justified", comment="second look"),
        )


def test_a_supervisor_cannot_review_their_own_search():
    clock = Clock()
    service, _ = probes_with(1, ProbePolicy(rate=1, seed="x"), clock)
    probe = service.draw_period(1)[0]
    with pytest.raises(Forbidden):
        service.answer(
            caller(probe.searcher_name, "supervisor"),
            probe.probe_id,
            Answer(verdict="justified", comment="mine"),
        )


def test_an_unanswered_probe_escalates_after_the_configured_days():
    clock = Clock()
    service, store = probes_with(3, ProbePolicy(rate=1, escalate_after_days=7, seed="x"), clock)
    drawn = service.draw_period(1)
    service.answer(
        caller("sam", "supervisor"), drawn[0].probe_id, Answer(verdict="justified", comment="ok, in file")
    )
    clock.advance(6.9)
    assert service.escalate_overdue() == []
    clock.advance(0.2)
    escalated = service.escalate_overdue()
    assert {p.probe_id for p in escalated} == {drawn[1].probe_id, drawn[2].probe_id}
    assert all(p.status == ProbeStatus.ESCALATED for p in escalated)
    assert [e.action for e in store.events[-2:]] == ["probe.escalated", "probe.escalated"]
    assert service.escalate_overdue() == []  # once
    # an escalated probe can still be answered
    late = service.answer(
        caller("sam", "supervisor"), drawn[1].probe_id, Answer(verdict="not_justified", comment="no case")
    )
    assert late.status == ProbeStatus.ANSWERED and late.escalated_at_ms is not None


# -- legal hold -------------------------------------------------------------------------


@pytest.fixture
def holds():
    clock = Clock()
    reads = InMemoryHoldableReads({
        "r1": {"plate": "1ABC234", "capture_ms": NOW_MS - DAY_MS, "expires_at": 100},
        "r2": {"plate": "1ABC234", "capture_ms": NOW_MS - DAY_MS, "expires_at": 200},
    })  # fmt: skip
    trail = InMemoryAuditStore()
    return LegalHoldService(InMemoryHoldStore(), reads, trail, clock), reads, trail


def hold_request(**kw) -> PlaceHold:
    base = {
        "case_ref": "PV-2026-77",
        "reason": "evidence for the trial",
        "reads": [{"read_id": "r1", "capture_ms": NOW_MS - DAY_MS}],
    }
    return PlaceHold.model_validate(base | kw)


def test_a_hold_takes_reads_out_of_retention_and_is_audited(holds):
    service, reads, trail = holds
    hold = service.place(caller("ines", "investigator"), hold_request())
    assert reads.reads["r1"]["expires_at"] is None and reads.reads["r1"]["legal_hold"] == hold.hold_id
    assert reads.reads["r2"]["expires_at"] == 200
    e = trail.events[-1]
    assert (e.action, e.case_ref, e.plates) == ("legal_hold.placed", "PV-2026-77", ["1ABC234"])


def test_a_hold_needs_a_case_reference_and_a_reason(holds):
    service, _, _ = holds
    with pytest.raises(BadRequest):
        service.place(caller("ines", "investigator"), hold_request(case_ref=""))
    with pytest.raises(BadRequest):
        service.place(caller("ines", "investigator"), hold_request(reason="x"))


def test_a_hold_on_old_reads_needs_a_prosecutor_decision(holds):
    service, _, _ = holds
    old = [{"read_id": "r1", "capture_ms": NOW_MS - 40 * DAY_MS}]
    with pytest.raises(Forbidden, match="prosecutor"):
        service.place(caller("ines", "investigator"), hold_request(reads=old))
    assert service.place(caller("ines", "investigator"), hold_request(reads=old, prosecutor_ref="PK-1")).reads


def test_release_restores_retention_unless_another_hold_remains(holds):
    service, reads, trail = holds
    first = service.place(caller("ines", "investigator"), hold_request())
    second = service.place(caller("ivo", "investigator"), hold_request(case_ref="PV-2026-78"))
    service.release(caller("ines", "investigator"), first.hold_id, ReleaseHold(reason="case closed by court"))
    assert reads.reads["r1"]["expires_at"] is None and reads.reads["r1"]["legal_hold"] == second.hold_id
    service.release(caller("ivo", "investigator"), second.hold_id, ReleaseHold(reason="case closed by court"))
    assert reads.reads["r1"]["expires_at"] == 100 and reads.reads["r1"]["legal_hold"] is None
    assert trail.events[-1].action == "legal_hold.released"
    with pytest.raises(Conflict):
        service.release(
            caller("ivo", "investigator"), second.hold_id, ReleaseHold(reason="case closed by court")
        )


# -- transparency -----------------------------------------------------------------------


def test_transparency_figures_come_from_the_trail_and_the_tables():
    clock = Clock()
    service, store = probes_with(0, ProbePolicy(rate=1, seed="x"), clock)
    search(store, "alice", NOW_MS - DAY_MS + 1000, kind="plate")
    search(store, "bob", NOW_MS - DAY_MS + 1100, kind="plate")
    search(store, "bob", NOW_MS - DAY_MS + 1200, kind="lookalike")
    store.record(
        AuditEvent(action="alert.raised", actor_id="system:alerts", resource="alert/1", at_ms=NOW_MS - 700)
    )
    store.record(AuditEvent(action="alert.acknowledged", actor_id="sub-p", resource="alert/1",
                            detail={"outcome": "vehicle_stopped"}, at_ms=NOW_MS - 600))  # fmt: skip
    store.record(AuditEvent(action="access.denied", actor_id="sub-p", outcome="denied", resource="POST /searches",
                            at_ms=NOW_MS - 500))  # fmt: skip
    service.draw_period(1)
    f = figures(store, [camera("A"), camera("B", status="retired")], service.list(), NOW_MS - 2 * DAY_MS, NOW_MS,
                count_reads=lambda s, e: 1234)  # fmt: skip
    assert f.searches == {"total": 3, "denied": 1, "by_type": {"plate": 2, "lookalike": 1}}
    assert f.watchlist_hits == 1 and f.alerts["by_outcome"] == {"vehicle_stopped": 1}
    assert f.cameras["total"] == 2 and f.reads == 1234 and f.accesses_denied == 1
    assert f.probes["drawn"] == 3 and f.probes["open"] == 3
    assert "1ABC234" not in f.model_dump_json()


@pytest.mark.parametrize("comment", ["\u200b\u200b\u200b", "...", "\x00\x00\x00\ufeff", "- -"])
def test_a_probe_answer_needs_a_visible_comment(comment):
    # GIVEN a drawn probe WHEN a supervisor answers with invisible or filler characters
    clock = Clock()
    service, _ = probes_with(1, ProbePolicy(rate=1, seed="x"), clock)
    probe = service.draw_period(1)[0]
    # THEN 400, and the probe stays open
    with pytest.raises(BadRequest, match="comment"):
        service.answer(
            caller("sam", "supervisor"), probe.probe_id, Answer(verdict="justified", comment=comment)
        )
    assert service.list(ProbeStatus.OPEN)[0].probe_id == probe.probe_id


# -- what the reports rely on, network-free (the moto tests: test_accountability_audit.py) ---


def test_verify_index_recomputes_derived_attributes_and_checks_pointers_both_ways(chain):
    from anpr.accountability.models import derived_attributes
    from anpr.accountability.verify import verify_index

    # GIVEN the records as a table returns them (with their index attributes) and their pointers
    records = [r.model_copy(update={"index": derived_attributes(r.seq, r.body)}) for r in chain.chain]
    pointers = [("1ABC234", r.seq) for r in records]
    assert verify_index(records, pointers) == []
    # WHEN record 2's day_pk is rewritten, record 3's pointer deleted, and a pointer forged
    records[1] = records[1].model_copy(update={"index": records[1].index | {"day_pk": "D#19700101"}})
    pointers = [p for p in pointers if p[1] != 3] + [("9ZZZ999", 4), ("1ABC234", 99)]
    # THEN each is reported where it is
    assert [(p.seq, p.kind) for p in verify_index(records, pointers)] == [
        (2, "index_mismatch"),
        (4, "pointer_orphan"),
        (99, "pointer_orphan"),
        (3, "pointer_missing"),
    ]
