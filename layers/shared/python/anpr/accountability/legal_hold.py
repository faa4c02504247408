"""Legal hold: an investigator keeps specific reads and their images past retention.

Placing a hold (case reference, reason, and past the administrative window a prosecutor's
decision — the same rules as a search, ``anpr.accountability.justification``) does, per read:

- DynamoDB: ``REMOVE expires_at`` (TTL and the local sweep skip it), ``legal_hold = hold_id``,
  the original expiry kept in ``held_expires_at``;
- S3: the snapshot and crop are copied, same keys, into the HeldEvidence bucket (no
  lifecycle expiry) and the read's ``snapshot_bucket`` points there, the original kept in
  ``held_snapshot_bucket``. The Snapshots bucket's lifecycle stays simple and untouched.

Releasing restores ``expires_at`` and ``snapshot_bucket`` (a read already past its expiry is
then swept as usual) and deletes the evidence copies — unless another active hold still
covers the read. Both are audited (``legal_hold.placed`` / ``legal_hold.released``).
"""

from __future__ import annotations

import uuid

from anpr.accountability.justification import Justification, check_access
from anpr.accountability.models import HeldRead, LegalHold, PlaceHold, ReleaseHold
from anpr.accountability.ports import HoldableReads, HoldStore
from anpr.kernel.audit import AuditEvent, AuditTrail
from anpr.kernel.auth import Caller
from anpr.kernel.clock import Clock
from anpr.kernel.errors import BadRequest, Conflict, NotFound


class LegalHoldService:
    def __init__(
        self,
        store: HoldStore,
        reads: HoldableReads,
        trail: AuditTrail,
        clock: Clock,
        admin_window_days: int = 30,
        retention_days: int = 365,
    ):
        self.store, self.reads, self.trail, self.clock = store, reads, trail, clock
        self.admin_window_days, self.retention_days = admin_window_days, retention_days

    def place(self, caller: Caller, request: PlaceHold) -> LegalHold:
        now = self.clock()
        oldest = min(r.capture_ms for r in request.reads)
        j = check_access(
            caller,
            Justification(request.case_ref, request.reason, request.prosecutor_ref),
            oldest_ms=oldest,
            now_ms=now,
            admin_window_days=self.admin_window_days,
            retention_days=self.retention_days,
        )
        hold_id = f"LH-{uuid.uuid4().hex[:16]}"
        held: list[HeldRead] = []
        missing: list[str] = []
        for ref in {r.read_id: r for r in request.reads}.values():
            result = self.reads.hold(ref, hold_id)
            (held.append(result) if result else missing.append(ref.read_id))
        if not held:
            raise NotFound("none of these reads exists (any more): nothing was held")
        hold = LegalHold(
            hold_id=hold_id,
            case_ref=j.case_ref,
            reason=j.reason,
            prosecutor_ref=j.prosecutor_ref,
            placed_by=caller.user_id,
            placed_by_name=caller.username,
            placed_at_ms=now,
            reads=held,
        )
        self.store.put(hold)
        self.trail.record(
            AuditEvent.by(
                caller,
                "legal_hold.placed",
                resource=f"legal-hold/{hold_id}",
                plates=sorted({h.plate for h in held}),
                case_ref=j.case_ref,
                reason=j.reason,
                prosecutor_ref=j.prosecutor_ref,
                detail={"read_ids": [h.read_id for h in held], "not_found": missing},
                at_ms=now,
            )
        )
        return hold

    def release(self, caller: Caller, hold_id: str, request: ReleaseHold) -> LegalHold:
        hold = self.get(hold_id)
        if hold.status != "active":
            raise Conflict(f"hold {hold_id} was already released")
        now = self.clock()
        released = hold.model_copy(
            update={
                "status": "released",
                "released_by": caller.user_id,
                "released_at_ms": now,
                "release_reason": request.reason,
            }
        )
        self.store.save_released(released)
        for held in hold.reads:
            others = [h for h in self.store.active_holds_for(held.read_id) if h != hold_id]
            self.reads.release(held, others[0] if others else None)
        self.trail.record(
            AuditEvent.by(
                caller,
                "legal_hold.released",
                resource=f"legal-hold/{hold_id}",
                plates=sorted({h.plate for h in hold.reads}),
                case_ref=hold.case_ref,
                reason=request.reason,
                detail={"read_ids": [h.read_id for h in hold.reads]},
                at_ms=now,
            )
        )
        return released

    def get(self, hold_id: str) -> LegalHold:
        hold = self.store.get(hold_id)
        if hold is None:
            raise NotFound(f"no legal hold {hold_id}")
        return hold

    def list(self, status: str | None = None) -> list[LegalHold]:
        if status not in (None, "active", "released"):
            raise BadRequest("status must be active or released")
        return [h for h in self.store.list() if status is None or h.status == status]
