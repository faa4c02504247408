"""The accountability API and probe jobs on moto: oversight report, probes, legal hold
and retention."""

import json

import boto3
import pytest
from anpr.accountability.access_report import read_csv
from anpr.accountability.models import Answer, ProbeStatus
from anpr.accountability.retention import expires_at, sweep_expired
from anpr.accountability.settings import ProbeJobSettings
from anpr.accountability.wiring import audit_api_services, probe_job_services, probe_service, trail_from
from anpr.kernel.audit import AuditEvent
from anpr.kernel.auth import Caller
from anpr.kernel.clock import fixed
from anpr.reads.models import PlateRead
from anpr.reads.repository import DynamoPlateReadRepository

from local.resources import REGION
from tests.helpers import NOW_MS, FakeLambdaContext, api_event, claims
from tests.integration.conftest import load_handler

DAY_MS = 86_400_000
RETENTION_DAYS = 365


def now_ms() -> int:
    """The pinned test time: the services run on ``fixed(NOW_MS)``, whatever the date."""
    return NOW_MS


@pytest.fixture
def api(aws, rest_function, cameras):
    return rest_function("AuditApi", "audit_api", audit_api_services)


def call(api, method, resource, path=None, user=("aud", "auditor"), **kw):
    resp = api.lambda_handler(
        api_event(method, resource, path, claims=claims(*user), **kw), FakeLambdaContext()
    )
    body = resp["body"]
    ctype = (resp.get("headers") or {}).get("Content-Type", "") or str(resp.get("multiValueHeaders", {}))
    return resp["statusCode"], (json.loads(body) if body and "json" in ctype else body)


def access(actor: str, action: str, plates: list[str], at_ms: int, **kw) -> AuditEvent:
    return AuditEvent(action=action, actor_id=f"sub-{actor}", actor_name=actor, roles=["investigator"],
                      plates=plates, at_ms=at_ms, **kw)  # fmt: skip


# -- who accessed plate X ---------------------------------------------------------------


def test_the_auditor_gets_every_access_made_to_a_plate(api):
    trail = api.function.services().trail
    t = now_ms() - 3_600_000
    trail.record(
        access("alice", "search.submitted", ["1ABC234"], t, case_ref="PV-1", reason="burglary follow-up")
    )
    trail.record(
        access("bob", "search.submitted", ["9ZZZ999"], t + 1, case_ref="PV-2", reason="other case here")
    )
    trail.record(access("alice", "search.results_viewed", ["1ABC234", "9ZZZ999"], t + 2, case_ref="PV-1"))
    trail.record(
        access("pat", "alert.acknowledged", ["1ABC234"], t + 3, detail={"outcome": "vehicle_stopped"})
    )
    trail.record(access("alice", "search.results_downloaded", ["1ABC234"], t + 4, case_ref="PV-1"))

    path = "/audit/plates/1-ABC-234/accesses"
    status, body = call(api, "GET", "/audit/plates/{plate}/accesses", path, path_params={"plate": "1-ABC-234"},
                        query={"case_ref": "COC-2026-12", "reason": "citizen complaint number 12"})  # fmt: skip
    assert status == 200
    assert [(a["actor_name"], a["action"]) for a in body["accesses"]] == [
        ("alice", "search.submitted"),
        ("alice", "search.results_viewed"),
        ("pat", "alert.acknowledged"),
        ("alice", "search.results_downloaded"),
    ]
    assert all(a["intact"] for a in body["accesses"])
    # the auditor's own look is recorded too, with its reason
    last = list(trail.records())[-1].event
    assert (last.action, last.actor_name, last.case_ref) == ("audit.accesses_viewed", "aud", "COC-2026-12")

    status, csv = call(api, "GET", "/audit/plates/{plate}/accesses", path, path_params={"plate": "1-ABC-234"},
                       query={"case_ref": "COC-2026-12", "reason": "citizen complaint number 12", "format": "csv"})  # fmt: skip
    provenance, rows = read_csv(csv)
    assert status == 200 and len(rows) == 5 and list(rows[0])[:2] == ["seq", "at"]
    assert (provenance["case reference"], provenance["requested by"]) == ("COC-2026-12", "aud")


def test_the_oversight_query_needs_a_case_reference(api):
    status, body = call(api, "GET", "/audit/plates/{plate}/accesses", "/audit/plates/1ABC234/accesses",
                        path_params={"plate": "1ABC234"}, query={"reason": "citizen complaint number 12"})  # fmt: skip
    assert status == 400 and "case_ref" in body["error"]


def test_verify_and_transparency_endpoints(api):
    api.function.services().trail.record(access("alice", "search.submitted", ["1ABC234"], now_ms() - 1000,
                                             detail={"type": "plate"}))  # fmt: skip
    status, body = call(api, "GET", "/audit/verify", user=("ops1", "ops"))
    assert status == 200 and body["ok"] is True and body["checked"] == 1
    status, body = call(api, "GET", "/transparency", user=("sup", "supervisor"))
    assert status == 200 and body["searches"]["by_type"] == {"plate": 1} and body["cameras"]["total"] == 2


# -- probes -----------------------------------------------------------------------------


@pytest.fixture
def probes_env(aws, function_env, monkeypatch):
    function_env("Probes")
    monkeypatch.setenv("ANPR_PROBE_SEED", "demo-seed")
    monkeypatch.setenv("ANPR_PROBE_RATE", "0.1")
    monkeypatch.setenv("ANPR_PROBE_MIN_PER_WEEK", "0")
    monkeypatch.setenv("ANPR_PROBE_ESCALATE_AFTER_DAYS", "3")
    yield


def last_day(at_ms: int | None = None) -> int:
    """Yesterday 23:00 UTC: inside the last complete day, which a daily draw covers."""
    now = now_ms() if at_ms is None else at_ms
    return now - now % DAY_MS - 3_600_000


def record_searches(trail, n: int, at_ms: int) -> None:
    for i in range(n):
        trail.record(access(f"officer{i % 5}", "search.submitted", [f"{i}ABC{i:03d}"], at_ms + i,
                            case_ref=f"PV-{i}", reason="routine check of a car", detail={"type": "plate"}))  # fmt: skip


def test_the_scheduled_draw_takes_the_configured_rate(probes_env):
    # GIVEN 60 searches yesterday and a 10 % rate with a fixed seed
    trail = trail_from(ProbeJobSettings(), clock=fixed(NOW_MS))
    record_searches(trail, 60, last_day())
    handler = load_handler("probes")
    handler.services.use(probe_job_services(clock=fixed(NOW_MS)))
    # WHEN the schedule fires (the payload ScheduleSpec ProbeDraw sends)
    result = handler.lambda_handler({"job": "draw", "period_days": 1}, FakeLambdaContext())
    # THEN 6 probes are open for review, and the draw itself is audited
    assert len(result["drawn"]) == 6
    assert len(handler.services().probes.list(ProbeStatus.OPEN)) == 6
    assert list(trail.records())[-1].event.action == "probe.drawn"
    # re-firing the same schedule (here in the local runtime's envelope) adds nothing twice
    envelope = {
        "detail-type": "Scheduled Event",
        "source": "aws.scheduler",
        "detail": {"job": "draw", "period_days": 1},
    }
    assert handler.lambda_handler(envelope, FakeLambdaContext())["drawn"] == []
    # and the escalation schedule finds nothing overdue yet
    assert handler.lambda_handler({"job": "escalate"}, FakeLambdaContext()) == {
        "job": "escalate",
        "escalated": [],
    }


def test_an_unanswered_probe_escalates_and_can_still_be_answered(probes_env):
    settings = ProbeJobSettings()
    trail = trail_from(settings, clock=fixed(NOW_MS))
    t0 = NOW_MS
    record_searches(trail, 20, last_day(t0))

    class Clock:
        now = t0

        def __call__(self):
            return self.now

    clock = Clock()
    service = probe_service(settings, trail, clock=clock)
    drawn = service.draw_period(1)
    assert len(drawn) == 2
    sup = Caller(user_id="sub-sam", username="sam", groups=frozenset({"supervisor"}))
    service.answer(sup, drawn[0].probe_id, Answer(verdict="justified", comment="case file checked"))
    clock.now = t0 + 3 * DAY_MS - 1
    assert service.escalate_overdue() == []
    clock.now = t0 + 3 * DAY_MS
    assert [p.probe_id for p in service.escalate_overdue()] == [drawn[1].probe_id]
    assert [p.probe_id for p in service.list(ProbeStatus.ESCALATED)] == [drawn[1].probe_id]
    assert list(trail.records())[-1].event.action == "probe.escalated"


def test_a_supervisor_answers_a_probe_through_the_api(api, aws):
    services = api.function.services()
    record_searches(services.trail, 3, last_day())
    services.probes.policy = services.probes.policy.model_copy(update={"rate": 1.0, "seed": "x"})
    probe = services.probes.draw_period(1)[0]
    path = f"/probes/{probe.probe_id}/answer"
    status, body = call(api, "POST", "/probes/{probe_id}/answer", path, user=("sam", "supervisor"),
                        path_params={"probe_id": probe.probe_id},
                        body={"verdict": "not_justified", "comment": "no trace of this case"})  # fmt: skip
    assert status == 200 and body["status"] == "answered" and body["verdict"] == "not_justified"
    status, body = call(api, "GET", "/probes", user=("aud", "auditor"), query={"status": "answered"})
    assert [p["probe_id"] for p in body["probes"]] == [probe.probe_id]
    status, _ = call(api, "POST", "/probes/{probe_id}/answer", path, user=("sam", "supervisor"),
                     path_params={"probe_id": probe.probe_id}, body={"verdict": "maybe", "comment": "hmm hmm"})  # fmt: skip
    assert status == 400


# -- legal hold and retention -----------------------------------------------------------


def plate_read(read_id: str, capture_ms: int, bucket: str) -> PlateRead:
    return PlateRead(
        read_id=read_id, plate="1ABC234", raw_text="1-ABC-234", confidence=0.97, country="BE", bbox=(1, 2, 3, 4),
        camera_id="BRU-001", zone="BRU-CAPITALE-IXELLES", capture_ms=capture_ms, lat=50.8, lon=4.3,
        snapshot_bucket=bucket, snapshot_key=f"snapshots/BRU-001/{read_id}.jpg", crop_key=f"crops/{read_id}.jpg",
        ingested_ms=capture_ms + 500, expires_at=expires_at(capture_ms, RETENTION_DAYS),
    )  # fmt: skip


def test_an_expired_read_disappears_and_one_under_legal_hold_does_not(api, aws):
    # GIVEN two reads of the same car yesterday, with their snapshots and crops
    snapshots, reads_table = aws.name("bucket", "Snapshots"), aws.name("table", "Reads")
    s3, ddb = boto3.client("s3", region_name=REGION), boto3.client("dynamodb", region_name=REGION)
    capture = now_ms() - DAY_MS
    kept, lost = (
        plate_read("held00000001", capture, snapshots),
        plate_read("free00000002", capture + 1, snapshots),
    )
    reads = DynamoPlateReadRepository(reads_table, REGION)
    reads.put_many([kept, lost])
    for r in (kept, lost):
        s3.put_object(Bucket=snapshots, Key=r.snapshot_key, Body=b"jpeg")
        s3.put_object(Bucket=snapshots, Key=r.crop_key, Body=b"crop")

    # WHEN an investigator puts one under legal hold
    status, hold = place_hold(api, kept, case_ref="PV-2026-77")
    assert status == 201 and [r["read_id"] for r in hold["reads"]] == [kept.read_id]
    assert hold["reads"][0]["images_held"] is True

    # AND retention passes (the local sweep does what DynamoDB TTL does on AWS)
    after_retention = kept.expires_at + 1
    keys = ["pk", "sk"]
    assert sweep_expired(ddb, reads_table, "expires_at", keys, after_retention) == 1

    # THEN a search finds the held read only, and its images are kept as evidence
    found = list(reads.by_plate("1ABC234", capture - 1000, capture + 1000))
    assert [r.read_id for r in found] == [kept.read_id]
    assert found[0].legal_hold == hold["hold_id"] and found[0].snapshot_bucket == aws.name(
        "bucket", "HeldEvidence"
    )
    evidence = aws.name("bucket", "HeldEvidence")
    assert s3.get_object(Bucket=evidence, Key=kept.snapshot_key)["Body"].read() == b"jpeg"
    assert s3.get_object(Bucket=evidence, Key=kept.crop_key)["Body"].read() == b"crop"
    # under an S3 legal hold: not even a direct delete of the version gets rid of a copy
    assert s3.get_object_legal_hold(Bucket=evidence, Key=kept.snapshot_key)["LegalHold"]["Status"] == "ON"
    version = s3.head_object(Bucket=evidence, Key=kept.snapshot_key)["VersionId"]
    with pytest.raises(s3.exceptions.ClientError, match="AccessDenied"):
        s3.delete_object(Bucket=evidence, Key=kept.snapshot_key, VersionId=version)
    audit = [r.event for r in api.function.services().trail.records()]
    assert audit[-1].action == "legal_hold.placed" and audit[-1].plates == ["1ABC234"]

    # AND once released, the read is back under retention and goes at the next sweep
    status, released = call(api, "POST", "/legal-holds/{hold_id}/release", f"/legal-holds/{hold['hold_id']}/release",
                            user=("ines", "investigator"), path_params={"hold_id": hold["hold_id"]},
                            body={"reason": "judgment final, evidence returned"})  # fmt: skip
    assert status == 200 and released["status"] == "released"
    assert sweep_expired(ddb, reads_table, "expires_at", keys, after_retention) == 1
    assert list(reads.by_plate("1ABC234", capture - 1000, capture + 1000)) == []
    assert s3.list_objects_v2(Bucket=evidence).get("KeyCount", 0) == 0
    # the copies themselves are gone, not hidden behind a delete marker
    assert s3.list_object_versions(Bucket=evidence).get("Versions", []) == []


def test_a_hold_without_a_case_reference_is_refused(api):
    status, body = call(api, "POST", "/legal-holds", user=("ines", "investigator"),
                        body={"reason": "evidence for the trial", "reads": [{"read_id": "x", "capture_ms": now_ms()}]})  # fmt: skip
    assert status == 400 and "case_ref" in body["error"]


def test_holds_are_listed_and_fetched(api, aws):
    status, body = call(api, "GET", "/legal-holds", user=("sup", "supervisor"))
    assert status == 200 and body == {"holds": []}
    status, _ = call(api, "GET", "/legal-holds/{hold_id}", "/legal-holds/LH-nope", user=("sup", "supervisor"),
                     path_params={"hold_id": "LH-nope"})  # fmt: skip
    assert status == 404


# -- issue 11: hostile justifications, who may release, audited views -----------------------


def held_read(aws, read_id: str = "held00000009"):
    snapshots = aws.name("bucket", "Snapshots")
    read = plate_read(read_id, now_ms() - DAY_MS, snapshots)
    DynamoPlateReadRepository(aws.name("table", "Reads"), REGION).put_many([read])
    return read


def place_hold(api, read, case_ref="PV-BRU-2026-077", reason="evidence for the trial", **fields):
    """Investigator Ines asks to hold ``read`` (``fields``: more of the request's body)."""
    ref = {"read_id": read.read_id, "capture_ms": read.capture_ms}
    body = {"case_ref": case_ref, "reason": reason, **fields, "reads": [ref]}
    return call(api, "POST", "/legal-holds", user=("ines", "investigator"), body=body)


def audit_events(api):
    return [r.event for r in api.function.services().trail.records()]


@pytest.mark.parametrize(
    ("field", "value"),
    [("case_ref", "\u200b"), ("case_ref", "-"), ("case_ref", "\ufeff\x00"), ("reason", "\u200b" * 10),
     ("reason", ".........."), ("reason", "x"), ("reason", "\u202e\u200d" * 8)],
)  # fmt: skip
def test_the_oversight_query_refuses_invisible_justifications_and_records_the_refusal(api, field, value):
    query = {"case_ref": "COC-2026-12", "reason": "citizen complaint number 12"} | {field: value}
    status, body = call(api, "GET", "/audit/plates/{plate}/accesses", "/audit/plates/1ABC234/accesses",
                        path_params={"plate": "1ABC234"}, query=query)  # fmt: skip
    assert status == 400 and body["error"].startswith(f"{field}:")
    last = audit_events(api)[-1]
    assert (last.action, last.outcome, last.actor_name) == ("audit.accesses_viewed", "denied", "aud")


def test_investigator_b_cannot_release_investigator_a_s_hold(api, aws):
    # GIVEN investigator Ines holds a read
    read = held_read(aws)
    status, hold = place_hold(api, read)
    assert status == 201
    path = f"/legal-holds/{hold['hold_id']}/release"
    # WHEN investigator Ivo releases it THEN 403, the hold stays active, the refusal is audited
    status, body = call(api, "POST", "/legal-holds/{hold_id}/release", path, user=("ivo", "investigator"),
                        path_params={"hold_id": hold["hold_id"]}, body={"reason": "no longer needed for anything"})  # fmt: skip
    assert status == 403 and "placed by ines" in body["error"]
    last = audit_events(api)[-1]
    assert (last.action, last.outcome, last.actor_name, last.plates) == (
        "legal_hold.released",
        "denied",
        "ivo",
        ["1ABC234"],
    )
    status, body = call(api, "GET", "/legal-holds/{hold_id}", f"/legal-holds/{hold['hold_id']}",
                        user=("ines", "investigator"), path_params={"hold_id": hold["hold_id"]})  # fmt: skip
    assert status == 200 and body["status"] == "active"
    # AND a supervisor may, with their own case reference, recorded with it
    status, body = call(api, "POST", "/legal-holds/{hold_id}/release", path, user=("sue", "supervisor"),
                        path_params={"hold_id": hold["hold_id"]},
                        body={"reason": "holder left, prosecutor closed the case", "case_ref": "PV-BRU-2026-999"})  # fmt: skip
    assert status == 200 and body["status"] == "released" and body["release_case_ref"] == "PV-BRU-2026-999"
    last = audit_events(api)[-1]
    assert (last.action, last.outcome, last.case_ref) == ("legal_hold.released", "allowed", "PV-BRU-2026-999")


def test_a_hold_with_an_invisible_case_reference_is_refused(api, aws):
    read = held_read(aws)
    status, body = place_hold(api, read, case_ref="\u200b", reason="\u200b" * 10, prosecutor_ref="\u200b")
    assert status == 400 and "case_ref" in body["error"]
    assert audit_events(api)[-1].outcome == "denied"


def test_listing_and_reading_holds_is_audited_once_per_view(api, aws):
    read = held_read(aws)
    _, hold = place_hold(api, read)
    before = len(audit_events(api))
    status, body = call(api, "GET", "/legal-holds", user=("aud", "auditor"), query={"status": "active"})
    assert status == 200 and [h["hold_id"] for h in body["holds"]] == [hold["hold_id"]]
    status, _ = call(api, "GET", "/legal-holds/{hold_id}", f"/legal-holds/{hold['hold_id']}",
                     user=("aud", "auditor"), path_params={"hold_id": hold["hold_id"]})  # fmt: skip
    assert status == 200
    status, _ = call(api, "GET", "/legal-holds/{hold_id}", "/legal-holds/LH-nope",
                     user=("aud", "auditor"), path_params={"hold_id": "LH-nope"})  # fmt: skip
    assert status == 404
    status, body = call(api, "GET", "/legal-holds", user=("aud", "auditor"), query={"status": "all"})
    assert status == 400 and "status" in body["error"]
    assert [(e.action, e.outcome, e.plates) for e in audit_events(api)[before:]] == [
        ("legal_holds.listed", "allowed", ["1ABC234"]),
        ("legal_hold.viewed", "allowed", ["1ABC234"]),
        ("legal_hold.viewed", "denied", []),
    ]


# -- the access log, filtered ------------------------------------------------------------


def test_the_access_log_filters_by_person_case_action_and_period_and_is_itself_audited(api):
    trail = api.function.services().trail
    t = now_ms() - 2 * DAY_MS
    trail.record(
        access("alice", "search.submitted", ["1ABC234"], t, case_ref="PV-1", reason="burglary follow-up")
    )
    trail.record(
        access("bob", "search.submitted", ["9ZZZ999"], t + 1, case_ref="PV-2", reason="other case here")
    )
    trail.record(access("alice", "search.results_viewed", ["1ABC234"], t + 2, case_ref="PV-1"))
    trail.record(
        access("alice", "search.submitted", ["2DEF567"], t - 20 * DAY_MS, case_ref="PV-1", reason="old")
    )
    why = {"case_ref": "COC-2026-12", "reason": "periodic oversight of searches"}
    # WHEN the auditor asks for alice's search actions of the last week
    status, body = call(api, "GET", "/audit/accesses", query={**why, "person": "ALICE", "action": "search"})
    # THEN her two accesses of the period, newest first; not bob's, not the one 22 days back
    assert status == 200 and body["total"] == 2
    assert [(a["actor_name"], a["action"]) for a in body["accesses"]] == [
        ("alice", "search.results_viewed"),
        ("alice", "search.submitted"),
    ]
    # AND a case filter and an exact action narrow it further; a period reaches further back
    _, one = call(api, "GET", "/audit/accesses", query={**why, "case": "pv-2", "action": "search.submitted"})
    assert [a["actor_name"] for a in one["accesses"]] == ["bob"]
    back = {**why, "person": "alice", "from": str(t - 25 * DAY_MS), "to": str(t + 10)}
    assert call(api, "GET", "/audit/accesses", query=back)[1]["total"] == 3
    # AND each look is recorded with its justification and filters; without one it is refused (400)
    viewed = [r.event for r in trail.records() if r.event.action == "audit.log_viewed"]
    assert viewed[0].case_ref == "COC-2026-12" and viewed[0].detail["person"] == "ALICE"
    assert call(api, "GET", "/audit/accesses", query={"person": "alice"})[0] == 400
    too_long = {**why, "from": str(t - 40 * DAY_MS), "to": str(t)}
    assert call(api, "GET", "/audit/accesses", query=too_long)[0] == 400
    assert [r.event.outcome for r in trail.records() if r.event.action == "audit.log_viewed"][-2:] == [
        "denied"
    ] * 2
    # AND only auditors may read it
    assert call(api, "GET", "/audit/accesses", query=why, user=("ivan", "investigator"))[0] == 403
