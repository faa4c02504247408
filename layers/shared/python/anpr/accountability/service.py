"""The accountability service: parse the request, call the domain, audit the access.

Kept out of the handler so it holds no rule; every function takes plain dicts (query
strings, JSON bodies) and the services, and returns domain objects.
"""

from __future__ import annotations

from datetime import UTC, datetime

from anpr.accountability.access_report import AccessReport, who_accessed
from anpr.accountability.models import (
    Answer,
    LegalHold,
    PlaceHold,
    Probe,
    ProbeStatus,
    ReleaseHold,
    VerifyReport,
)
from anpr.accountability.transparency import Figures, figures
from anpr.accountability.verify import verify_store
from anpr.kernel.audit import AuditEvent
from anpr.kernel.auth import Caller
from anpr.kernel.clock import DAY_MS
from anpr.kernel.errors import BadRequest


def parse_time(value: str | None, name: str) -> int | None:
    """Epoch milliseconds or an ISO 8601 date/time (UTC when no zone is given)."""
    if value in (None, ""):
        return None
    if value.isdigit():
        return int(value)
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{name} must be epoch milliseconds or an ISO 8601 date") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)


def plate_accesses(services, caller: Caller, plate: str, query: dict) -> AccessReport:
    case_ref, reason = (query.get("case_ref") or "").strip(), (query.get("reason") or "").strip()
    if not case_ref:
        raise BadRequest("a case reference (case_ref: the complaint or investigation) is required")
    if len(reason) < 10:
        raise BadRequest("a reason of at least 10 characters is required")
    now = services.probes.clock()
    report = who_accessed(
        services.trail, plate, now, parse_time(query.get("from"), "from"), parse_time(query.get("to"), "to")
    )
    services.trail.record(
        AuditEvent.by(
            caller,
            "audit.accesses_viewed",
            resource=f"audit/plates/{report.plate}",
            plates=[report.plate],
            case_ref=case_ref,
            reason=reason,
            detail={"rows": len(report.accesses), "format": query.get("format", "json")},
            at_ms=now,
        )
    )
    return report


def verify(services, caller: Caller) -> VerifyReport:
    report = verify_store(services.trail, services.trail.archive)
    services.trail.record(
        AuditEvent.by(
            caller,
            "audit.verified",
            resource="audit/verify",
            detail={"ok": report.ok, "checked": report.checked, "problems": len(report.problems)},
        )
    )
    return report


def transparency(services, caller: Caller, query: dict) -> Figures:
    now = services.probes.clock()
    end = parse_time(query.get("to"), "to") or now
    start = parse_time(query.get("from"), "from") or end - 30 * DAY_MS
    if start > end:
        raise BadRequest("from must be before to")
    if end - start > 366 * DAY_MS:
        raise BadRequest("a transparency period is at most 366 days")
    result = figures(
        services.trail,
        services.cameras.list(),
        services.probes.list(),
        start,
        end,
        count_reads=services.count_reads,
    )
    services.trail.record(
        AuditEvent.by(
            caller, "transparency.viewed", resource="transparency", detail={"from_ms": start, "to_ms": end}
        )
    )
    return result


def list_probes(services, query: dict) -> list[Probe]:
    status = query.get("status")
    try:
        return services.probes.list(ProbeStatus(status) if status else None)
    except ValueError:
        raise BadRequest(f"status must be one of {[s.value for s in ProbeStatus]}") from None


def answer_probe(services, caller: Caller, probe_id: str, body: dict | None) -> Probe:
    return services.probes.answer(caller, probe_id, Answer.model_validate(body or {}))


def place_hold(services, caller: Caller, body: dict | None) -> LegalHold:
    return services.holds.place(caller, PlaceHold.model_validate(body or {}))


def release_hold(services, caller: Caller, hold_id: str, body: dict | None) -> LegalHold:
    return services.holds.release(caller, hold_id, ReleaseHold.model_validate(body or {}))
