"""Audit events for alerting (written to ``anpr.accountability.wiring.trail_from``)."""

from __future__ import annotations

from anpr.kernel.audit import AuditEvent
from anpr.kernel.auth import Caller


def audit_event(
    action: str, caller: Caller, resource: str, *, plates: list[str] = (), detail: dict | None = None
) -> AuditEvent:
    return AuditEvent.by(
        caller,
        action,
        resource=resource,
        plates=sorted(set(plates)),
        detail=detail or {},
    )


def record_shown(alerts, audit, now_ms: int, shown: list, feed: str, caller: Caller) -> list:
    """One ``alert.shown`` record per alert the first time it is shown to this person (in a
    feed: ``{zone}/{status}``, or on the live channel: ``live``), not one per poll or message.
    Recorded before it is remembered, so a failure between the two repeats a record rather than
    losing one. ``alerts``: the ``AlertRepository`` (seen marks); returns the alerts newly shown."""
    if not shown:
        return []
    already = alerts.seen(caller.user_id, [a.alert_id for a in shown])
    new = [a for a in shown if a.alert_id not in already]
    for a in new:
        audit.record(
            audit_event(
                "alert.shown",
                caller,
                f"alert/{a.alert_id}",
                plates=[a.plate],
                detail={"feed": feed, "zone": a.latest.zone, "capture_ms": a.latest.capture_ms},
            )
        )
    if new:
        alerts.mark_seen(caller.user_id, new, now_ms)
    return new
