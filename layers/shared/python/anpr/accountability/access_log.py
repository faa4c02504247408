"""The access log for auditors and the COC: every recorded access in a period, filtered by
person, case and action (``GET /audit/accesses``). Looking at it is itself an access to personal
data (who looked at what, and why): justified like every oversight query, and recorded as
``audit.log_viewed`` with its filters (a refusal as denied)."""

from __future__ import annotations

from anpr.accountability.access_report import AccessRow, access_row
from anpr.accountability.justification import Justification, check_justification
from anpr.accountability.service import parse_time
from anpr.kernel.audit import AuditEvent
from anpr.kernel.auth import Caller
from anpr.kernel.clock import DAY_MS
from anpr.kernel.errors import BadRequest, DomainError

#: one query covers at most this many days (the byDay index is read day by day)
MAX_PERIOD_DAYS = 31
DEFAULT_PERIOD_DAYS = 7
MAX_ROWS = 1000
ACTION = "audit.log_viewed"


def _period(start: str | None, end: str | None, now_ms: int) -> tuple[int, int]:
    to_ms = parse_time(end, "to", end_of_day=True)
    to_ms = now_ms if to_ms is None else to_ms
    from_ms = parse_time(start, "from")
    from_ms = to_ms - DEFAULT_PERIOD_DAYS * DAY_MS if from_ms is None else from_ms
    if from_ms > to_ms:
        raise BadRequest("from must not be after to")
    if to_ms - from_ms > MAX_PERIOD_DAYS * DAY_MS:
        raise BadRequest(f"one query covers at most {MAX_PERIOD_DAYS} days: narrow from/to")
    return from_ms, to_ms


def _matches(row: AccessRow, person: str, case: str, action: str) -> bool:
    who = f"{row.actor_name} {row.actor_id}".casefold()
    return (
        (not person or person.casefold() in who)
        and (not case or case.casefold() in (row.case_ref or "").casefold())
        and (not action or row.action == action or row.action.startswith(action.rstrip(".") + "."))
    )


def access_log(
    services,
    caller: Caller,
    case_ref: str,
    reason: str,
    start: str | None = None,
    end: str | None = None,
    *,
    person: str = "",
    case: str = "",
    action: str = "",
    limit: int = 500,
) -> dict:
    """The period's accesses matching every filter given, newest first (``limit`` of them)."""
    now = services.probes.clock()
    filters = {"person": person, "case": case, "action": action}
    try:
        rules = services.settings.justification_rules()
        j = check_justification(Justification(case_ref, reason), rules)
        if not 1 <= limit <= MAX_ROWS:
            raise BadRequest(f"1 ≤ limit ≤ {MAX_ROWS}")
        from_ms, to_ms = _period(start, end, now)
    except DomainError as exc:
        denied = AuditEvent.by(
            caller,
            ACTION,
            outcome="denied",
            resource="audit/log",
            detail={"why": str(exc), **filters},
            at_ms=now,
        )
        services.trail.record(denied)
        raise
    rows = [
        row
        for rec in services.trail.between(from_ms, to_ms)
        if _matches(row := access_row(rec), person, case, action)
    ]
    rows.sort(key=lambda r: r.seq, reverse=True)
    services.trail.record(
        AuditEvent.by(
            caller,
            ACTION,
            resource="audit/log",
            case_ref=j.case_ref,
            reason=j.reason,
            detail={"from_ms": from_ms, "to_ms": to_ms, **filters, "rows": len(rows)},
            at_ms=now,
        )
    )
    return {
        "from_ms": from_ms,
        "to_ms": to_ms,
        "filters": filters,
        "total": len(rows),
        "accesses": [r.model_dump(mode="json") for r in rows[:limit]],
    }
