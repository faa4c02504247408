"""The audit trail's contract: every access to personal data is written once, with its reason.

Implementations (DynamoDB hash-chained table + S3 Object Lock mirror, and an in-memory fake)
live next to this interface; callers only ever ``record``.
"""

from __future__ import annotations

from typing import Literal, Protocol

from pydantic import BaseModel

from anpr.kernel.auth import Caller
from anpr.kernel.clock import Clock


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
    #: when it happened (epoch ms); stamped by the trail's clock when the caller leaves it out
    at_ms: int | None = None

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


def stamped(event: AuditEvent, clock: Clock) -> AuditEvent:
    """``event`` with its time set (the trail's clock) if the caller left it out."""
    return event if event.at_ms is not None else event.model_copy(update={"at_ms": clock()})
