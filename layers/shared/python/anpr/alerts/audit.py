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
