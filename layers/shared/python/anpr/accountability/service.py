"""The accountability service: check the request, call the domain, audit the access.

Kept out of the routes so they hold no rule; every function takes the services, the caller
and typed values (the routes validated them), and returns domain objects.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from anpr.accountability.access_report import AccessReport, who_accessed
from anpr.accountability.justification import Justification, check_justification
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
from anpr.kernel.errors import BadRequest, DomainError


def _audit(services, caller: Caller, action: str, **fields) -> None:
    """One audit record of this caller's access (resource, outcome, plates, detail, at_ms...)."""
    services.trail.record(AuditEvent.by(caller, action, **fields))


#: the longest period one transparency report covers
MAX_REPORT_DAYS = 366


def parse_time(value: str | None, name: str, *, end_of_day: bool = False) -> int | None:
    """Epoch milliseconds or an ISO 8601 date/time (UTC when no zone is given).

    A bare date is a whole day: its first millisecond, or with ``end_of_day`` its last
    (``--to 2026-11-30`` includes the 30th)."""
    if value in (None, ""):
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            start = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)
            return start + DAY_MS - 1 if end_of_day else start
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise BadRequest(
            f"{name} must be epoch milliseconds or an ISO 8601 date (YYYY-MM-DD) or date-time"
        ) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)


def period(start: str | None, end: str | None, now_ms: int, default_days: int = 30) -> tuple[int, int]:
    """An inclusive period ``[from, to]`` from the request (``to`` defaults to now)."""
    end_ms = parse_time(end, "to", end_of_day=True)
    end_ms = now_ms if end_ms is None else end_ms
    start_ms = parse_time(start, "from")
    start_ms = end_ms - default_days * DAY_MS + 1 if start_ms is None else start_ms
    if start_ms > end_ms:
        raise BadRequest("from must be on or before to")
    if end_ms - start_ms >= MAX_REPORT_DAYS * DAY_MS:
        raise BadRequest(f"a period is at most {MAX_REPORT_DAYS} days")
    return start_ms, end_ms


def plate_accesses(
    services,
    caller: Caller,
    plate: str,
    case_ref: str | None,
    reason: str | None,
    start: str | None = None,
    end: str | None = None,
    fmt: str = "json",
) -> AccessReport:
    """Who accessed this plate's data: itself an access to personal data, justified and audited
    (a refusal too)."""
    now = services.probes.clock()
    try:
        j = check_justification(
            Justification(case_ref or "", reason or ""), services.settings.justification_rules()
        )
        from_ms, to_ms = parse_time(start, "from"), parse_time(end, "to", end_of_day=True)
    except DomainError as exc:
        _audit(
            services,
            caller,
            "audit.accesses_viewed",
            outcome="denied",
            resource=f"audit/plates/{plate[:32]}",
            detail={"why": str(exc)},
            at_ms=now,
        )
        raise
    report = who_accessed(
        services.trail,
        plate,
        now,
        from_ms,
        to_ms,
        requested_by=caller.username,
        case_ref=j.case_ref,
        reason=j.reason,
    )
    _audit(
        services,
        caller,
        "audit.accesses_viewed",
        resource=f"audit/plates/{report.plate}",
        plates=[report.plate],
        case_ref=j.case_ref,
        reason=j.reason,
        detail={"rows": len(report.accesses), "format": fmt},
        at_ms=now,
    )
    return report


def verify(services, caller: Caller) -> VerifyReport:
    report = verify_store(services.trail, services.trail.archive)
    _audit(
        services,
        caller,
        "audit.verified",
        resource="audit/verify",
        detail={"ok": report.ok, "checked": report.checked, "problems": len(report.problems)},
    )
    return report


def transparency(services, caller: Caller, start: str | None = None, end: str | None = None) -> Figures:
    now = services.probes.clock()
    start_ms, end_ms = period(start, end, now)
    result = figures(
        services.trail,
        services.cameras.list(),
        services.probes.list(),
        start_ms,
        end_ms,
        count_reads=services.count_reads,
        count_alerts=services.count_alerts,
    )
    _audit(
        services,
        caller,
        "transparency.viewed",
        resource="transparency",
        detail={"from_ms": start_ms, "to_ms": end_ms},
        at_ms=now,
    )
    return result


def list_probes(services, caller: Caller, status: ProbeStatus | None = None) -> list[Probe]:
    """Probes name searchers, cases and reasons: each listing is audited."""
    probes = services.probes.list(status)
    _audit(
        services,
        caller,
        "probes.listed",
        resource="probes",
        detail={"status": status.value if status else None, "probes": [p.probe_id for p in probes]},
        at_ms=services.probes.clock(),
    )
    return probes


def answer_probe(services, caller: Caller, probe_id: str, answer: Answer) -> Probe:
    return services.probes.answer(caller, probe_id, answer)


def place_hold(services, caller: Caller, request: PlaceHold) -> LegalHold:
    return services.holds.place(caller, request)


def release_hold(services, caller: Caller, hold_id: str, request: ReleaseHold) -> LegalHold:
    return services.holds.release(caller, hold_id, request)


def list_holds(services, caller: Caller, status: str | None = None) -> list[LegalHold]:
    return services.holds.listing(caller, status)


def get_hold(services, caller: Caller, hold_id: str) -> LegalHold:
    return services.holds.view(caller, hold_id)
