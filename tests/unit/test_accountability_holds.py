"""Legal holds: who may release one (issue 11, finding 2), hostile justifications
(finding 1), and audited views and refusals (finding 9) — on in-memory fakes."""

import pytest
from anpr.accountability.legal_hold import LegalHoldService
from anpr.accountability.models import PlaceHold, ReleaseHold
from anpr.kernel.auth import Caller, Forbidden
from anpr.kernel.clock import DAY_MS, fixed
from anpr.kernel.errors import BadRequest, NotFound

from tests.fakes.accountability import InMemoryAuditStore, InMemoryHoldableReads, InMemoryHoldStore
from tests.helpers import NOW_MS

INES = Caller("sub-ines", "ines", frozenset({"investigator"}))
IVO = Caller("sub-ivo", "ivo", frozenset({"investigator"}))
SUE = Caller("sub-sue", "sue", frozenset({"supervisor"}))
AUD = Caller("sub-aud", "aud", frozenset({"auditor"}))


@pytest.fixture
def holds():
    reads = InMemoryHoldableReads(
        {"r1": {"plate": "1ABC234", "capture_ms": NOW_MS - DAY_MS, "expires_at": 100}}
    )
    trail = InMemoryAuditStore(clock=fixed(NOW_MS))
    return LegalHoldService(InMemoryHoldStore(), reads, trail, fixed(NOW_MS)), reads, trail


def place(service, caller=INES, **kw):
    body = {"case_ref": "PV-BRU-2026-001", "reason": "evidence for the trial",
            "reads": [{"read_id": "r1", "capture_ms": NOW_MS - DAY_MS}]} | kw  # fmt: skip
    return service.place(caller, PlaceHold.model_validate(body))


def test_an_investigator_cannot_release_another_investigators_hold(holds):
    service, reads, trail = holds
    # GIVEN investigator Ines holds read r1
    hold = place(service)
    # WHEN investigator Ivo tries to release it
    with pytest.raises(Forbidden, match="placed by ines"):
        service.release(IVO, hold.hold_id, ReleaseHold(reason="not needed any more, case closed"))
    # THEN the evidence stays held and the attempt is audited as refused, with its reason
    assert reads.reads["r1"]["legal_hold"] == hold.hold_id and reads.reads["r1"]["expires_at"] is None
    assert service.get(hold.hold_id).status == "active"
    e = trail.events[-1]
    assert (e.action, e.outcome, e.actor_name, e.plates) == (
        "legal_hold.released",
        "denied",
        "ivo",
        ["1ABC234"],
    )
    assert "placed by ines" in e.detail["why"] and e.reason == "not needed any more, case closed"


def test_the_holder_releases_with_a_reason_and_it_is_audited(holds):
    service, reads, trail = holds
    hold = place(service)
    released = service.release(INES, hold.hold_id, ReleaseHold(reason="judgment final, evidence returned"))
    assert released.status == "released" and reads.reads["r1"]["expires_at"] == 100
    e = trail.events[-1]
    assert (e.action, e.outcome, e.reason, e.detail["as"]) == (
        "legal_hold.released",
        "allowed",
        "judgment final, evidence returned",
        "holder",
    )


def test_a_supervisor_releases_someone_elses_hold_only_with_their_own_case_reference(holds):
    service, reads, trail = holds
    hold = place(service)
    # WHEN a supervisor gives no case reference of their own THEN 400, audited
    with pytest.raises(BadRequest, match="case_ref"):
        service.release(SUE, hold.hold_id, ReleaseHold(reason="holder left the service, case closed"))
    assert (trail.events[-1].outcome, reads.reads["r1"]["legal_hold"]) == ("denied", hold.hold_id)
    # WHEN they give one THEN the hold is released, recorded with their case reference
    released = service.release(
        SUE,
        hold.hold_id,
        ReleaseHold(reason="holder left the service, case closed", case_ref="PV-BRU-2026-999"),
    )
    assert released.release_case_ref == "PV-BRU-2026-999" and reads.reads["r1"]["legal_hold"] is None
    e = trail.events[-1]
    assert (e.outcome, e.case_ref, e.detail["as"], e.detail["holder"]) == (
        "allowed",
        "PV-BRU-2026-999",
        "release role",
        "sub-ines",
    )


@pytest.mark.parametrize("reason", ["", "x", "..........", "\u200b" * 10, "\x00" * 12, "\ufeff\u202e-"])
def test_a_release_reason_must_be_written_by_a_person(holds, reason):
    service, reads, trail = holds
    hold = place(service)
    with pytest.raises(BadRequest, match="reason"):
        service.release(INES, hold.hold_id, ReleaseHold(reason=reason))
    assert reads.reads["r1"]["legal_hold"] == hold.hold_id and trail.events[-1].outcome == "denied"


@pytest.mark.parametrize("field", ["case_ref", "reason", "prosecutor_ref"])
@pytest.mark.parametrize(
    "value", ["\u200b", "\u200d\u200d", "\u202e", "\x00", "\ufeff", "-", "x", ".........."]
)
def test_a_hold_with_an_invisible_or_filler_justification_is_refused_and_audited(holds, field, value):
    service, reads, trail = holds
    # GIVEN reads 40 days old (a prosecutor decision needed), one field of junk
    old = [{"read_id": "r1", "capture_ms": NOW_MS - 40 * DAY_MS}]
    with pytest.raises((BadRequest, Forbidden)):
        place(service, reads=old, **({"prosecutor_ref": "PG-BRU-77/26"} | {field: value}))
    assert reads.reads["r1"].get("legal_hold") is None
    assert (trail.events[-1].action, trail.events[-1].outcome) == ("legal_hold.placed", "denied")


def test_viewing_and_listing_holds_is_audited_once_per_view(holds):
    service, _, trail = holds
    hold = place(service)
    before = len(trail.events)
    # WHEN an auditor lists the holds and opens one
    assert [h.hold_id for h in service.listing(AUD)] == [hold.hold_id]
    assert service.view(AUD, hold.hold_id).hold_id == hold.hold_id
    # THEN exactly one record per view, each naming the plates it showed
    listed, viewed = trail.events[before:]
    assert (listed.action, listed.plates, listed.detail["holds"]) == (
        "legal_holds.listed",
        ["1ABC234"],
        [hold.hold_id],
    )
    assert (viewed.action, viewed.plates, viewed.resource) == (
        "legal_hold.viewed",
        ["1ABC234"],
        f"legal-hold/{hold.hold_id}",
    )


def test_a_refused_view_is_audited(holds):
    service, _, trail = holds
    with pytest.raises(NotFound):
        service.view(AUD, "LH-nope")
    with pytest.raises(BadRequest):
        service.listing(AUD, "everything")
    assert [(e.action, e.outcome) for e in trail.events] == [
        ("legal_hold.viewed", "denied"),
        ("legal_holds.listed", "denied"),
    ]
