"""Audit for alerting: the trail factory and the event builder.

The accountability concern provides ``anpr.audit_store.default_trail()`` (DynamoDB, hash
chained). Until that module exists, a log-only trail stands in so the API still runs; the
fallback is logged loudly.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging

from anpr.audit import AuditEvent, AuditTrail
from anpr.auth import Caller

log = logging.getLogger(__name__)


class LogAuditTrail:
    """Stand-in while ``anpr.audit_store`` does not exist: structured log lines, nothing else."""

    def record(self, event: AuditEvent) -> None:
        log.info(
            "audit",
            extra={"audit": event.model_dump(mode="json", exclude={"plates"}), "plates": len(event.plates)},
        )


def default_trail() -> AuditTrail:
    if importlib.util.find_spec("anpr.audit_store") is None:
        log.warning("anpr.audit_store is not available: audit events are only logged")
        return LogAuditTrail()
    return importlib.import_module("anpr.audit_store").default_trail()


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
