"""Random audit probes: a sample of searches drawn for supervisor review.

A scheduled job draws, for each period, ``ceil(rate × searches)`` of the period's searches,
and never fewer than the weekly minimum pro rata (``ceil(min_per_week × days / 7)``),
uniformly without replacement. The draw is unpredictable in production (SystemRandom) and
reproducible when a seed is configured (tests, demo). A supervisor answers each probe
"justified" or "not justified" with a comment; a probe left unanswered past its due date
escalates (status ``escalated``, audited), and stays answerable.

Searches are taken from the audit trail (``search.submitted``, allowed): the probe works
on what was actually recorded, whatever the search feature's own storage looks like.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from anpr.accountability.justification import visible
from anpr.accountability.models import Answer, AuditRecord, Probe, ProbePolicy, ProbeStatus
from anpr.accountability.ports import AuditReader, ProbeStore
from anpr.kernel.audit import AuditEvent, AuditTrail
from anpr.kernel.auth import Caller, Forbidden
from anpr.kernel.clock import DAY_MS, Clock
from anpr.kernel.errors import BadRequest, Conflict, NotFound

SEARCH_ACTION = "search.submitted"
#: a supervisor's comment holds at least this many letters or digits (visible ones)
MIN_COMMENT_ALNUM = 3
SYSTEM_ACTOR = "system:probes"


def draw(
    searches: Iterable[AuditRecord], policy: ProbePolicy, period_start_ms: int, period_days: float
) -> list[AuditRecord]:
    """The period's sample, in seq order (the same seed and searches → the same sample)."""
    pool = sorted(searches, key=lambda r: r.seq)
    k = policy.sample_size(len(pool), period_days)
    return sorted(policy.rng(period_start_ms).sample(pool, k), key=lambda r: r.seq)


class ProbeService:
    def __init__(
        self,
        store: ProbeStore,
        reader: AuditReader,
        trail: AuditTrail,
        policy: ProbePolicy,
        clock: Clock,
    ):
        self.store, self.reader, self.trail, self.policy, self.clock = store, reader, trail, policy, clock

    def draw_period(self, period_days: float = 1, end_ms: int | None = None) -> list[Probe]:
        """Draw from the searches of the last complete period ``[end - period_days, end)``.

        Periods are aligned (daily draws cover UTC days), so a retried or re-fired schedule
        covers the same period, which is drawn only once (a marker item, written last: a
        run that crashed half-way draws again, erring on the side of more probes).
        """
        now = self.clock()
        period_ms = int(period_days * DAY_MS)
        end = now - now % period_ms if end_ms is None else end_ms
        start = end - period_ms
        if self.store.period_drawn(start, end):
            return []
        searches = [
            r
            for r in self.reader.between(start, end - 1)
            if r.event.action == SEARCH_ACTION and r.event.outcome == "allowed"
        ]
        drawn = []
        for rec in draw(searches, self.policy, start, period_days):
            e = rec.event
            probe = Probe(
                probe_id=f"PR-{rec.seq:012d}",
                search_seq=rec.seq,
                search_resource=e.resource,
                searcher_id=e.actor_id,
                searcher_name=e.actor_name,
                case_ref=e.case_ref,
                reason=e.reason,
                searched_at_ms=e.at_ms,
                drawn_at_ms=now,
                due_ms=now + self.policy.escalate_after_days * DAY_MS,
            )
            if self.store.add(probe):
                drawn.append(probe)
        self.store.mark_period_drawn(start, end)
        self.trail.record(
            AuditEvent(
                action="probe.drawn",
                actor_id=SYSTEM_ACTOR,
                actor_name="audit probe schedule",
                resource="probes",
                detail={
                    "period_start_ms": start,
                    "period_end_ms": end,
                    "searches": len(searches),
                    "drawn": [p.probe_id for p in drawn],
                },
                at_ms=now,
            )
        )
        return drawn

    def answer(self, caller: Caller, probe_id: str, answer: Answer) -> Probe:
        probe = self.store.get(probe_id)
        if probe is None:
            raise NotFound(f"no probe {probe_id}")
        if probe.searcher_id == caller.user_id:
            raise Forbidden("a supervisor cannot review their own search")
        if probe.status == ProbeStatus.ANSWERED:
            raise Conflict(f"probe {probe_id} was already answered by {probe.answered_by}")
        comment = visible(answer.comment)
        if sum(unicodedata.category(c)[0] in "LN" for c in comment) < MIN_COMMENT_ALNUM:
            raise BadRequest(
                f"comment: say what was checked, in at least {MIN_COMMENT_ALNUM} letters or digits"
            )
        now = self.clock()
        answered = probe.model_copy(
            update={
                "status": ProbeStatus.ANSWERED,
                "verdict": answer.verdict,
                "comment": comment,
                "answered_by": caller.user_id,
                "answered_at_ms": now,
            }
        )
        self.trail.record(
            AuditEvent.by(
                caller,
                "probe.answered",
                resource=f"probe/{probe_id}",
                case_ref=probe.case_ref,
                detail={
                    "verdict": answer.verdict.value,
                    "search_seq": probe.search_seq,
                    "searcher_id": probe.searcher_id,
                    "was_escalated": probe.status == ProbeStatus.ESCALATED,
                },
                at_ms=now,
            )
        )
        self.store.save(answered, (ProbeStatus.OPEN, ProbeStatus.ESCALATED))
        return answered

    def escalate_overdue(self) -> list[Probe]:
        now = self.clock()
        escalated = []
        for probe in self.store.by_status(ProbeStatus.OPEN):
            if probe.due_ms > now:
                continue
            updated = probe.model_copy(update={"status": ProbeStatus.ESCALATED, "escalated_at_ms": now})
            try:
                self.store.save(updated, ProbeStatus.OPEN)
            except Conflict:
                continue  # answered meanwhile
            self.trail.record(
                AuditEvent(
                    action="probe.escalated",
                    actor_id=SYSTEM_ACTOR,
                    actor_name="audit probe schedule",
                    resource=f"probe/{probe.probe_id}",
                    case_ref=probe.case_ref,
                    detail={
                        "drawn_at_ms": probe.drawn_at_ms,
                        "due_ms": probe.due_ms,
                        "searcher_id": probe.searcher_id,
                    },
                    at_ms=now,
                )
            )
            escalated.append(updated)
        return escalated

    def list(self, status: ProbeStatus | None = None) -> list[Probe]:
        statuses = [status] if status else list(ProbeStatus)
        return [p for s in statuses for p in self.store.by_status(s)]
