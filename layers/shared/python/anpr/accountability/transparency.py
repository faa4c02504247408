"""Transparency figures over a period: cameras, reads, searches by type, watchlist hits,
alert outcomes, probe results — the kind of figures Flock publishes. No plate ever appears.

Each figure is counted from the records that mean it:
- watchlist hits: alerts raised (one alert = one hit), from the Alerts table (``AlertCounter``,
  alerts created in the period) — not from audit records of people looking at alerts;
- alert outcomes: each alert's acknowledgement (its latest), made in the period;
- searches: ``search.submitted`` audit records with outcome ``allowed`` (the searches run),
  by ``detail.type``; denied ones counted apart;
- legal holds, watchlist changes, denied accesses: their audit records.
Without an alerts table (a partial setup), hits and outcomes fall back to the trail's
``alert.raised`` records and ``alert.acknowledged`` (latest per alert).

The period is inclusive at both ends: ``--to 2026-11-30`` includes the 30th
(``anpr.accountability.service.period``), and the figures say so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from pydantic import BaseModel

from anpr.accountability.access_report import iso
from anpr.accountability.models import Probe, ProbeStatus, Verdict
from anpr.accountability.ports import AuditReader
from anpr.kernel.clock import DAY_MS
from anpr.reads.models import Camera


class AlertFigures(BaseModel):
    #: alerts created in the period
    raised: int
    #: alerts whose (latest) acknowledgement was made in the period, by outcome
    by_outcome: dict[str, int] = {}
    #: per police zone (the alert's feed zone): raised in the period, closed with an outcome, and
    #: the follow-up rate (closed / raised) — Belgium's lesson: half of all alerts went unanswered
    by_zone: dict[str, dict] = {}


def follow_up_by_zone(counts: dict[str, dict[str, int]]) -> dict[str, dict]:
    """``{zone: {raised, closed}}`` → the same with ``follow_up_rate`` (None when none raised)."""
    return {
        zone: {**c, "follow_up_rate": round(c["closed"] / c["raised"], 4) if c["raised"] else None}
        for zone, c in sorted(counts.items())
    }


#: (start_ms, end_ms) inclusive -> the period's alert figures; None: not counted
AlertCounter = Callable[[int, int], AlertFigures | None]


def describe_period(start_ms: int, end_ms: int) -> str:
    """``2026-11-01 to 2026-11-30, both days included (UTC)`` for whole days, else times."""
    whole = start_ms % DAY_MS == 0 and (end_ms + 1) % DAY_MS == 0

    def day(ms: int) -> str:
        return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d")

    if whole:
        return f"{day(start_ms)} to {day(end_ms)}, both days included (UTC)"
    return f"{iso(start_ms)} to {iso(end_ms)}, both ends included"


class Figures(BaseModel):
    #: in words, with its inclusive ends
    period: str
    period_from: str
    period_to: str
    cameras: dict  # {"total": n, "by_status": {...}, "by_kind": {...}}
    reads: int | None  # None: not counted (no counter available)
    searches: dict  # {"total", "denied", "by_type": {...}}
    watchlist_hits: int
    watchlist_changes: int
    alerts: dict  # {"raised", "acknowledged", "by_outcome": {...}, "source"}
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
    count_alerts: AlertCounter = lambda s, e: None,
) -> Figures:
    """Figures for ``[start_ms, end_ms]``, both ends included."""
    records = reader.between(start_ms, end_ms)
    events = [r.event for r in records]
    #: what was done (a refused attempt is counted under ``denied``, not as done)
    actions = Counter(e.action for e in events if e.outcome == "allowed")

    searches = [e for e in events if e.action == "search.submitted"]
    allowed_searches = [e for e in searches if e.outcome == "allowed"]
    denied = [e for e in events if e.outcome == "denied"]
    alerts = count_alerts(start_ms, end_ms)
    source = "alerts table"
    if alerts is None:
        source = "audit trail"
        last_ack = {
            e.resource: str(e.detail.get("outcome", "unspecified"))
            for e in events
            if e.action == "alert.acknowledged" and e.outcome == "allowed"
        }
        alerts = AlertFigures(raised=actions["alert.raised"], by_outcome=dict(Counter(last_ack.values())))

    cams = list(cameras)
    drawn = [p for p in probes if start_ms <= p.drawn_at_ms <= end_ms]
    return Figures(
        period=describe_period(start_ms, end_ms),
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
        watchlist_hits=alerts.raised,
        watchlist_changes=sum(
            n
            for a, n in actions.items()
            if a in ("watchlist.created", "watchlist.updated", "watchlist.deleted")
        ),
        alerts={
            "raised": alerts.raised,
            "acknowledged": sum(alerts.by_outcome.values()),
            "by_outcome": alerts.by_outcome,
            "follow_up_by_zone": alerts.by_zone,
            "source": source,
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
