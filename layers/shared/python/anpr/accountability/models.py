"""Accountability's data: audit records and their hashes, verification reports, legal holds,
audit probes. Pure values: no storage, no AWS (ports: ``ports``; adapters: ``adapters``)."""

from __future__ import annotations

import hashlib
import json
import math
import random
from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field, computed_field

from anpr.kernel.audit import AuditEvent
from anpr.reads.plates import normalise

GENESIS = "0" * 64
CHAIN = "AUDIT"
ARCHIVE_PREFIX = "audit/"


# ---------------------------------------------------------------------------------------
# Audit records and their hashes
# ---------------------------------------------------------------------------------------


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_body(event: AuditEvent) -> str:
    """The event as it is hashed and stored; kept verbatim so a later schema change never
    changes the hash of an old record."""
    return canonical_json(event.model_dump(mode="json"))


def record_hash(prev_hash: str, seq: int, body: str) -> str:
    payload = canonical_json({"seq": seq, "event": json.loads(body)})
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


class AuditRecord(BaseModel):
    seq: int
    prev_hash: str
    hash: str
    #: canonical JSON of the AuditEvent
    body: str
    #: the index attributes stored next to it, as read from the table (not hashed, not
    #: mirrored); ``verify`` recomputes them from ``body``. None: not read from a table.
    index: dict[str, str] | None = Field(default=None, exclude=True)

    @classmethod
    def build(cls, seq: int, prev_hash: str, body: str) -> AuditRecord:
        return cls(seq=seq, prev_hash=prev_hash, hash=record_hash(prev_hash, seq, body), body=body)

    @property
    def event(self) -> AuditEvent:
        return AuditEvent.model_validate_json(self.body)

    def intact(self) -> bool:
        return record_hash(self.prev_hash, self.seq, self.body) == self.hash


def day_of(at_ms: int) -> str:
    return datetime.fromtimestamp(at_ms / 1000, tz=UTC).strftime("%Y%m%d")


def derived_attributes(seq: int, body: str) -> dict[str, str]:
    """The attributes stored next to a record for the indexes, all derived from its hashed
    body: a verifier recomputes them (``verify``), a writer writes them (``adapters``)."""
    event = json.loads(body)
    return {
        "action": event["action"],
        "at_ms": str(event["at_ms"]),
        "actor_pk": f"A#{event['actor_id']}",
        "day_pk": f"D#{day_of(event['at_ms'])}",
        "at_sk": f"{event['at_ms']:013d}#{seq:012d}",
    }


def plates_of(body: str) -> set[str]:
    """The normalised plates a record names: each has a pointer item ``P#{plate}``."""
    return {normalise(p) for p in json.loads(body).get("plates", [])} - {""}


def in_period(record: AuditRecord, start_ms: int, end_ms: int) -> bool:
    return start_ms <= record.event.at_ms <= end_ms


ProblemKind = Literal[
    "altered",
    "missing",
    "out_of_order",
    "broken_link",
    "archive_mismatch",
    "not_archived",
    "index_mismatch",
    "pointer_missing",
    "pointer_orphan",
]


class Problem(BaseModel):
    seq: int
    kind: ProblemKind
    detail: str = ""


class VerifyReport(BaseModel):
    checked: int
    head_seq: int
    head_hash: str
    problems: list[Problem] = []

    @computed_field
    @property
    def ok(self) -> bool:
        # a record not yet mirrored is a warning (the mirror write may be in flight), not tampering
        return not any(p.kind != "not_archived" for p in self.problems)


# ---------------------------------------------------------------------------------------
# Legal holds
# ---------------------------------------------------------------------------------------


class ReadRef(BaseModel):
    read_id: str = Field(min_length=1, max_length=64)
    capture_ms: int = Field(gt=0)


class PlaceHold(BaseModel):
    case_ref: str = ""
    reason: str = ""
    prosecutor_ref: str | None = None
    reads: list[ReadRef] = Field(min_length=1, max_length=500)


class ReleaseHold(BaseModel):
    #: why the evidence may go (checked like every reason: ``justification.check_reason``)
    reason: str = Field(default="", max_length=2000)
    #: a releaser who is not the holder (a role ``spec.HOLD_RELEASE_ROLES`` names) gives
    #: their own case reference: the decision that lets the evidence go
    case_ref: str | None = Field(default=None, max_length=64)


class HeldRead(BaseModel):
    read_id: str
    capture_ms: int
    plate: str
    #: the TTL the read had before the hold (restored on release)
    original_expires_at: int | None = None
    images_held: bool = True


class LegalHold(BaseModel):
    hold_id: str
    case_ref: str
    reason: str
    prosecutor_ref: str | None = None
    placed_by: str
    placed_by_name: str = ""
    placed_at_ms: int
    status: Literal["active", "released"] = "active"
    released_by: str | None = None
    released_at_ms: int | None = None
    release_reason: str | None = None
    #: the releaser's own case reference when they are not the holder
    release_case_ref: str | None = None
    reads: list[HeldRead] = []


# ---------------------------------------------------------------------------------------
# Audit probes
# ---------------------------------------------------------------------------------------


class ProbeStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    ESCALATED = "escalated"


class Verdict(StrEnum):
    JUSTIFIED = "justified"
    NOT_JUSTIFIED = "not_justified"


class ProbePolicy(BaseModel):
    rate: float = Field(default=0.05, ge=0, le=1)
    min_per_week: int = Field(default=5, ge=0)
    escalate_after_days: int = Field(default=7, ge=1)
    seed: str | None = None

    def sample_size(self, searches: int, period_days: float) -> int:
        floor = math.ceil(self.min_per_week * period_days / 7)
        return min(searches, max(math.ceil(self.rate * searches), floor))

    def rng(self, period_start_ms: int) -> random.Random:
        if self.seed is None:
            return random.SystemRandom()
        return random.Random(f"{self.seed}:{period_start_ms}")


class Probe(BaseModel):
    probe_id: str
    #: the drawn search: its audit record
    search_seq: int
    search_resource: str = ""
    searcher_id: str
    searcher_name: str = ""
    case_ref: str | None = None
    reason: str | None = None
    searched_at_ms: int
    drawn_at_ms: int
    due_ms: int
    status: ProbeStatus = ProbeStatus.OPEN
    verdict: Verdict | None = None
    comment: str | None = None
    answered_by: str | None = None
    answered_at_ms: int | None = None
    escalated_at_ms: int | None = None


class Answer(BaseModel):
    verdict: Verdict
    comment: str = Field(min_length=3, max_length=4000)
