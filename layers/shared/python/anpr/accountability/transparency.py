"""Transparency figures over a period: cameras, reads, searches by type, watchlist hits,
alert outcomes, probe results — the kind of figures Flock publishes, computed from the
audit trail (what people did) and the tables (what exists). No plate ever appears.

Conventions the other features' audit records follow (docs/accountability.md):
- ``search.submitted`` with ``detail.type`` (plate, partial, lookalike, convoy, zone...);
- ``alert.raised`` (system) / ``alert.viewed`` / ``alert.acknowledged`` with ``detail.outcome``;
- ``watchlist.created|updated|deleted``; ``legal_hold.placed|released``; ``access.denied``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from pydantic import BaseModel

from anpr.accountability.access_report import iso
from anpr.accountability.models import Probe, ProbeStatus, Verdict
from anpr.accountability.ports import AuditReader
from anpr.reads.models import Camera


class Figures(BaseModel):
    period_from: str
    period_to: str
    cameras: dict  # {"total": n, "by_status": {...}, "by_kind": {...}}
    reads: int | None  # None: not counted (no counter available)
    searches: dict  # {"total", "denied", "by_type": {...}}
    watchlist_hits: int
    watchlist_changes: int
    alerts: dict  # {"viewed", "acknowledged", "by_outcome": {...}}
    legal_holds: dict  # {"placed", "released"}
    accesses_denied: int
    probes: dict  # {"drawn", "answered", "justified", "not_justified", "escalated", "open"}
    audit_records: int


def figures(
    reader: AuditReader,
    cameras: Iterable[Camera],
    probes: Iterable[Probe],
    start_ms: int,
    end_ms: int,
    count_reads: Callable[[int, int], int | None] = lambda s, e: None,
) -> Figures:
    records = reader.between(start_ms, end_ms)
    events = [r.event for r in records]
    actions = Counter(e.action for e in events)

    searches = [e for e in events if e.action == "search.submitted"]
    allowed_searches = [e for e in searches if e.outcome == "allowed"]
    denied = [e for e in events if e.outcome == "denied"]
    alert_events = [e for e in events if e.action.startswith("alert.")]
    hits = {e.resource for e in alert_events if e.resource}
    outcomes = Counter(
        str(e.detail.get("outcome", "unspecified")) for e in alert_events if e.action == "alert.acknowledged"
    )

    cams = list(cameras)
    drawn = [p for p in probes if start_ms <= p.drawn_at_ms <= end_ms]
    return Figures(
        period_from=iso(start_ms),
        period_to=iso(end_ms),
        cameras={
            "total": len(cams),
            "by_status": dict(Counter(str(c.status) for c in cams)),
            "by_kind": dict(Counter(str(c.kind) for c in cams)),
        },
        reads=count_reads(start_ms, end_ms),
        searches={
            "total": len(allowed_searches),
            "denied": len([e for e in searches if e.outcome == "denied"])
            + len([e for e in denied if e.action == "access.denied" and "search" in e.resource]),
            "by_type": dict(
                Counter(
                    str(e.detail.get("type") or e.detail.get("kind") or "unspecified")
                    for e in allowed_searches
                )
            ),
        },
        watchlist_hits=max(actions["alert.raised"], len(hits)),
        watchlist_changes=sum(n for a, n in actions.items() if a.startswith("watchlist.")),
        alerts={
            "viewed": actions["alert.viewed"],
            "acknowledged": actions["alert.acknowledged"],
            "by_outcome": dict(outcomes),
        },
        legal_holds={"placed": actions["legal_hold.placed"], "released": actions["legal_hold.released"]},
        accesses_denied=len(denied),
        probes={
            "drawn": len(drawn),
            "answered": sum(p.status == ProbeStatus.ANSWERED for p in drawn),
            "justified": sum(p.verdict == Verdict.JUSTIFIED for p in drawn),
            "not_justified": sum(p.verdict == Verdict.NOT_JUSTIFIED for p in drawn),
            "escalated": sum(
                p.status == ProbeStatus.ESCALATED or p.escalated_at_ms is not None for p in drawn
            ),
            "open": sum(p.status == ProbeStatus.OPEN for p in drawn),
        },
        audit_records=len(records),
    )
