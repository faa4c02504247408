"""The audit trail's contract: every access to personal data is written once, with its reason.

Implementations (DynamoDB hash-chained table + S3 Object Lock mirror, and an in-memory fake)
live next to this interface; callers only ever ``record``.
"""

from __future__ import annotations

import time
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from anpr.auth import Caller


class AuditEvent(BaseModel):
    #: what happened, dotted: search.submitted, search.results_viewed, search.results_downloaded,
    #: alert.viewed, alert.acknowledged, watchlist.created/updated/deleted, legal_hold.placed, ...
    action: str
    actor_id: str  # Cognito sub: one person
    actor_name: str = ""
    roles: list[str] = []
    outcome: Literal["allowed", "denied"] = "allowed"
    resource: str = ""  # e.g. "search/6f1c...", "alert/...", "watchlist/..."
    #: every plate this access touched (normalised): answers "who looked at this car's data"
    plates: list[str] = []
    case_ref: str | None = None
    reason: str | None = None
    prosecutor_ref: str | None = None
    detail: dict = {}
    at_ms: int = Field(default_factory=lambda: int(time.time() * 1000))

    @classmethod
    def by(cls, caller: Caller, action: str, **fields) -> AuditEvent:
        """The event ``caller`` caused: who (one person), with which roles, did what."""
        return cls(
            action=action,
            actor_id=caller.user_id,
            actor_name=caller.username,
            roles=sorted(caller.groups),
            **fields,
        )


class AuditTrail(Protocol):
    def record(self, event: AuditEvent) -> None: ...


class InMemoryAuditTrail:
    """Fake for unit tests."""

    def __init__(self):
        self.events: list[AuditEvent] = []

    def record(self, event: AuditEvent) -> None:
        self.events.append(event)
