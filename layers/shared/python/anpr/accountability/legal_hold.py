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
covers the read. Only the holder may release, or a role ``spec.HOLD_RELEASE_ROLES`` names
(a supervisor) with their own case reference and reason. Placing, releasing, viewing and
listing are audited (``legal_hold.placed|released|viewed``, ``legal_holds.listed``), and so
is every refusal (``outcome="denied"``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from anpr.accountability.justification import (
    DEFAULT_RULES,
    Justification,
    JustificationRules,
    check_access,
    check_reason,
    check_reference,
)
from anpr.accountability.models import HeldRead, LegalHold, PlaceHold, ReleaseHold
from anpr.accountability.ports import HoldableReads, HoldStore
from anpr.accountability.spec import HOLD_RELEASE_ROLES
from anpr.kernel.audit import AuditEvent, AuditTrail
from anpr.kernel.auth import Caller, Forbidden
from anpr.kernel.clock import Clock
from anpr.kernel.errors import BadRequest, Conflict, DomainError, NotFound

HOLD_STATUSES = ("active", "released")


class LegalHoldService:
    def __init__(
        self,
        store: HoldStore,
        reads: HoldableReads,
        trail: AuditTrail,
        clock: Clock,
        admin_window_days: int = 30,
        retention_days: int = 365,
        rules: JustificationRules = DEFAULT_RULES,
        release_roles: Iterable[str] = HOLD_RELEASE_ROLES,
    ):
        self.store, self.reads, self.trail, self.clock = store, reads, trail, clock
        self.admin_window_days, self.retention_days = admin_window_days, retention_days
        self.rules, self.release_roles = rules, frozenset(release_roles)

    def place(self, caller: Caller, request: PlaceHold) -> LegalHold:
        now = self.clock()
        oldest = min(r.capture_ms for r in request.reads)
        try:
            j = check_access(
                caller,
                Justification(request.case_ref, request.reason, request.prosecutor_ref),
                oldest_ms=oldest,
                now_ms=now,
                admin_window_days=self.admin_window_days,
                retention_days=self.retention_days,
                rules=self.rules,
            )
        except (DomainError, Forbidden) as exc:
            self._refused(
                caller,
                "legal_hold.placed",
                "legal-hold/-",
                exc,
                now,
                read_ids=[r.read_id for r in request.reads],
            )
            raise
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
        self._audited(
            caller,
            "legal_hold.placed",
            hold,
            now,
            case_ref=j.case_ref,
            reason=j.reason,
            prosecutor_ref=j.prosecutor_ref,
            detail={"read_ids": [h.read_id for h in held], "not_found": missing},
        )
        return hold

    def release(self, caller: Caller, hold_id: str, request: ReleaseHold) -> LegalHold:
        """Only the holder, or a role ``release_roles`` names with their own case reference,
        may let the evidence go; every release and every refusal is audited with its reason."""
        now = self.clock()
        hold = self.store.get(hold_id)
        try:
            if hold is None:
                raise NotFound(f"no legal hold {hold_id}")
            reason = check_reason(request.reason, self.rules)
            case_ref = None
            if hold.placed_by != caller.user_id:
                if not caller.groups & self.release_roles:
                    raise Forbidden(
                        f"legal hold {hold_id} was placed by {hold.placed_by_name or hold.placed_by}: only they, "
                        f"or a {' or '.join(sorted(self.release_roles))} with their own case reference, may release it"
                    )
                case_ref = check_reference(request.case_ref, "case_ref", self.rules)
            if hold.status != "active":
                raise Conflict(f"hold {hold_id} was already released")
        except (DomainError, Forbidden) as exc:
            plates = sorted({h.plate for h in hold.reads}) if hold else []
            self._refused(caller, "legal_hold.released", f"legal-hold/{hold_id}", exc, now, plates=plates,
                          reason=request.reason[:200] or None)  # fmt: skip
            raise
        released = hold.model_copy(
            update={
                "status": "released",
                "released_by": caller.user_id,
                "released_at_ms": now,
                "release_reason": reason,
                "release_case_ref": case_ref,
            }
        )
        self.store.save_released(released)
        for held in hold.reads:
            others = [h for h in self.store.active_holds_for(held.read_id) if h != hold_id]
            self.reads.release(held, others[0] if others else None)
        self._audited(
            caller,
            "legal_hold.released",
            hold,
            now,
            case_ref=case_ref or hold.case_ref,
            reason=reason,
            detail={
                "read_ids": [h.read_id for h in hold.reads],
                "holder": hold.placed_by,
                "as": "holder" if case_ref is None else "release role",
                "hold_case_ref": hold.case_ref,
            },
        )
        return released

    def get(self, hold_id: str) -> LegalHold:
        hold = self.store.get(hold_id)
        if hold is None:
            raise NotFound(f"no legal hold {hold_id}")
        return hold

    def view(self, caller: Caller, hold_id: str) -> LegalHold:
        """``GET /legal-holds/{id}``: the hold, its reads and plates; the view is audited, a
        refusal too."""
        now = self.clock()
        try:
            hold = self.get(hold_id)
        except NotFound as exc:
            self._refused(caller, "legal_hold.viewed", f"legal-hold/{hold_id}", exc, now)
            raise
        self._audited(
            caller,
            "legal_hold.viewed",
            hold,
            now,
            case_ref=hold.case_ref,
            detail={"reads": len(hold.reads), "status": hold.status},
        )
        return hold

    def list(self, status: str | None = None) -> list[LegalHold]:
        if status not in (None, *HOLD_STATUSES):
            raise BadRequest("status must be active or released")
        return [h for h in self.store.list() if status is None or h.status == status]

    def listing(self, caller: Caller, status: str | None = None) -> list[LegalHold]:
        """``GET /legal-holds``: one audit record per view, naming every plate it showed."""
        now = self.clock()
        try:
            holds = self.list(status)
        except BadRequest as exc:
            self._refused(caller, "legal_holds.listed", "legal-holds", exc, now)
            raise
        self.trail.record(
            AuditEvent.by(
                caller,
                "legal_holds.listed",
                resource="legal-holds",
                plates=sorted({r.plate for h in holds for r in h.reads}),
                detail={"status": status, "holds": [h.hold_id for h in holds]},
                at_ms=now,
            )
        )
        return holds

    def _audited(self, caller: Caller, action: str, hold: LegalHold, now: int, **fields) -> None:
        """The record of ``action`` on ``hold``, naming every plate it holds."""
        self.trail.record(
            AuditEvent.by(
                caller,
                action,
                resource=f"legal-hold/{hold.hold_id}",
                plates=sorted({h.plate for h in hold.reads}),
                at_ms=now,
                **fields,
            )
        )

    def _refused(
        self, caller: Caller, action: str, resource: str, exc: Exception, now: int, **fields
    ) -> None:
        detail = {"why": str(exc), "status": getattr(exc, "status", 403)}
        if "read_ids" in fields:
            detail["read_ids"] = fields.pop("read_ids")
        self.trail.record(
            AuditEvent.by(
                caller, action, outcome="denied", resource=resource, detail=detail, at_ms=now, **fields
            )
        )
