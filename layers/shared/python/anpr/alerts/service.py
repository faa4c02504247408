"""Reads → alerts (the ingest hook), the re-sender, and the patrol desk (list, view, acknowledge).

Idempotent end to end, because the ingest hook runs again when a snapshot is retried:
- the alert id is derived from (entry, plate, first read): a retried read finds its alert;
- a sighting already on the alert is not added twice;
- ``published_ms`` is set only after SNS took the message, so a failed publish is retried
  (by the retried read, or by the re-sender if the read ended in the DLQ): never lost; and a
  published alert is never published again by a retry: never doubled.
"""

from __future__ import annotations

import logging
from collections.abc import Container
from dataclasses import dataclass

from anpr.alerts.audit import audit_event, record_shown
from anpr.alerts.matcher import Matcher
from anpr.alerts.models import (
    NATIONAL,
    Acknowledgement,
    Alert,
    Claim,
    Match,
    MatchKind,
    Outcome,
    Priority,
    Sighting,
    alert_id_for,
    new_alert,
    rank,
    with_sighting,
)
from anpr.alerts.ports import AlertChanges, AlertPublisher, AlertRepository, StaleAlert, WatchlistRepository
from anpr.kernel.audit import AuditEvent, AuditTrail
from anpr.kernel.auth import Caller, Forbidden
from anpr.kernel.clock import DAY_MS, Clock
from anpr.kernel.db import StorageError
from anpr.kernel.errors import BadRequest, Conflict, NotFound
from anpr.reads.cameras import CameraRegistry
from anpr.reads.models import PlateRead
from anpr.reads.plates import mask

log = logging.getLogger(__name__)

#: optimistic-locking retries before giving up (the record is then retried by SQS)
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class AlertPolicy:
    dedupe_window_s: int = 600
    resend_after_s: int = 300
    max_resends: int = 3
    retention_days: int = 365
    #: a capture older than this (against the clock) is a late hit: recorded, never published
    max_age_s: int = 900
    #: an open high-priority alert nobody claimed is escalated this long after its first send
    escalate_after_s: int = 180

    @property
    def escalate_ms(self) -> int:
        return self.escalate_after_s * 1000

    @property
    def max_age_ms(self) -> int:
        return self.max_age_s * 1000

    @property
    def window_ms(self) -> int:
        return self.dedupe_window_s * 1000

    @property
    def resend_ms(self) -> int:
        return self.resend_after_s * 1000


def sighting_of(read: PlateRead, camera_name: str = "") -> Sighting:
    """The read as an alert's sighting: its fields of the same name, and the camera's name."""
    return Sighting(**read.model_dump(include=set(Sighting.model_fields)), camera_name=camera_name)


class AlertService:
    """What the ingest path calls once reads are stored."""

    def __init__(
        self,
        *,
        matcher: Matcher,
        alerts: AlertRepository,
        publisher: AlertPublisher,
        cameras: CameraRegistry | None = None,
        policy: AlertPolicy = AlertPolicy(),
        clock: Clock,
    ):
        self.matcher, self.alerts, self.publisher = matcher, alerts, publisher
        self.cameras, self.policy, self.clock = cameras, policy, clock

    def on_reads(self, reads: list[PlateRead]) -> list[Alert]:
        """Match, record, publish. Raises on any infrastructure failure (the caller retries)."""
        out = []
        for read in reads:
            matches = self.matcher.match(read)
            if not matches:
                continue
            sighting = sighting_of(read, self._camera_name(read.camera_id))
            if self.clock() - read.capture_ms > self.policy.max_age_ms:
                # a late capture (a camera's backlog, a re-upload): not a live sighting
                out += [self.record_late(match, sighting) for match in matches]
                continue
            for match in matches:
                alert = self.record(match, sighting)
                out.append(self.publish_if_needed(alert))
        return out

    def record_late(self, match: Match, sighting: Sighting) -> Alert:
        """A listed plate in a capture older than the freshness limit: kept as a "late" hit for
        the record (never published, never in the patrol feed, no dedupe pointer)."""
        late = new_alert(match, sighting, self.clock()).model_copy(
            update={
                "status": "late",
                "expires_at": sighting.capture_ms // 1000 + self.policy.retention_days * 86_400,
            }
        )
        stored = self.alerts.record_late(late)  # same id on a retry: recorded once
        log.info(
            "late hit recorded, not published",
            extra={
                "alert_id": stored.alert_id,
                "plate": mask(match.read_plate),
                "entry_id": match.entry.entry_id,
                "age_s": (self.clock() - sighting.capture_ms) // 1000,
                "max_age_s": self.policy.max_age_s,
            },
        )
        return stored

    __call__ = on_reads  # the SnapshotIngestor's after_store hook

    # -- dedupe ----------------------------------------------------------------------------

    def record(self, match: Match, sighting: Sighting) -> Alert:
        """The alert this sighting raises or extends: one per listed entry per window, whatever
        the plate as read (a car read once right and once as a look-alike is one alert)."""
        entry_id, window = match.entry.entry_id, self.policy.window_ms
        plate = ENTRY_WIDE  # the dedupe pointer is per entry, not per plate as read
        for _ in range(MAX_ATTEMPTS):
            ptr = self.alerts.pointer(entry_id, plate)
            alert_id, closed = None, None
            if ptr is not None and sighting.capture_ms - ptr.last_seen_ms <= window:
                current = self.alerts.get(ptr.alert_id)
                if current is None or current.status == "open" or _holds(current, sighting):
                    alert_id = ptr.alert_id
                else:
                    closed = current  # acknowledged: a later sighting raises a new alert
            if alert_id is None:
                alert_id = alert_id_for(entry_id, match.read_plate, sighting.read_id)
                if closed is not None:
                    if closed.latest.capture_ms >= sighting.capture_ms:
                        return closed  # an older sighting arriving late: nothing new to say
                    # window 0: replaces the pointer of the closed alert (older sightings yield)
                    claimed = self.alerts.claim_pointer(entry_id, plate, alert_id, sighting.capture_ms, 0)
                else:
                    claimed = self.alerts.claim_pointer(
                        entry_id, plate, alert_id, sighting.capture_ms, window
                    )
                if not claimed:
                    continue  # another container opened one just now: extend that one instead
            try:
                alert = self._upsert(alert_id, match, sighting)
            except StaleAlert:
                continue
            self.alerts.touch_pointer(entry_id, plate, alert_id, sighting.capture_ms, window)
            return alert
        raise StorageError(f"alert for entry {entry_id}: too much contention, retry later")

    def _upsert(self, alert_id: str, match: Match, sighting: Sighting) -> Alert:
        current = self.alerts.get(alert_id)
        if current is None:
            fresh = new_alert(match, sighting, self.clock()).model_copy(
                update={
                    "alert_id": alert_id,
                    # safety net: if it is never published here, the re-sender publishes it
                    "next_due_ms": self.clock() + self.policy.resend_ms,
                    "expires_at": sighting.capture_ms // 1000 + self.policy.retention_days * 86_400,
                }
            )
            current = self.alerts.create(fresh)
            if _holds(current, sighting):
                log.info(
                    "alert raised",
                    extra={
                        "alert_id": alert_id,
                        "plate": mask(current.plate),
                        "entry_id": current.entry_id,
                        "match_kind": current.match_kind.value,
                        "priority": current.priority.value,
                        "zone": sighting.zone,
                    },
                )
                return current
        extended = with_sighting(current, sighting)
        if extended is None:
            return current  # this read is already on it (a retry)
        upgrade = {}
        if match.kind == MatchKind.EXACT and current.match_kind != MatchKind.EXACT:
            # a look-alike alert confirmed by an exact read
            upgrade |= {"match_kind": match.kind, "plate": match.read_plate}
        if current.unverified and sighting.image_evidence:
            # camera metadata confirmed by our own read of an image
            upgrade |= {"unverified": False}
        if upgrade:
            kind = upgrade.get("match_kind", current.match_kind)
            verified = not upgrade.get("unverified", current.unverified)
            # upgraded: its priority as now known, and sent again
            upgrade |= {"priority": rank(kind, match.entry, verified), "published_ms": None}
            extended = extended.model_copy(update=upgrade)
        log.info("alert sighting added", extra={"alert_id": alert_id, "sightings": extended.sighting_count})
        return self.alerts.save(extended)

    # -- delivery --------------------------------------------------------------------------

    def publish_if_needed(self, alert: Alert) -> Alert:
        if alert.published or alert.status != "open":
            return alert
        sent_ms = self.publisher.publish(alert)
        return mark_sent(self.alerts, alert.alert_id, sent_ms, self.policy)

    def _camera_name(self, camera_id: str) -> str:
        if self.cameras is None:
            return ""
        camera = self.cameras.get(camera_id)
        return camera.name if camera else ""


#: dedupe pointers are per listed entry (see ``record``)
ENTRY_WIDE = "*"


def _holds(alert: Alert, sighting: Sighting) -> bool:
    return any(s.read_id == sighting.read_id for s in alert.sightings)


def escalation_due(alert: Alert, policy: AlertPolicy) -> int | None:
    """When an open, unclaimed, high-priority alert is escalated (None: it never is)."""
    if alert.status != "open" or alert.priority != Priority.HIGH or alert.claim or alert.escalated_ms:
        return None
    if alert.published_ms is None:
        return None
    return alert.published_ms + policy.escalate_ms


def next_due(alert: Alert, sent_ms: int, policy: AlertPolicy) -> int | None:
    """Open high-priority alerts come back to the re-sender until acknowledged (bounded), and
    once more when their escalation falls due."""
    if alert.status != "open" or alert.priority != Priority.HIGH:
        return None
    escalate = escalation_due(alert, policy)
    resend = None if alert.sent_count > policy.max_resends else sent_ms + policy.resend_ms
    due = [t for t in (resend, escalate) if t is not None]
    return min(due) if due else None


def mark_sent(alerts: AlertRepository, alert_id: str, sent_ms: int, policy: AlertPolicy) -> Alert:
    for _ in range(MAX_ATTEMPTS):
        current = alerts.get(alert_id)
        if current is None:
            raise StorageError(f"alert {alert_id} vanished after publishing")
        sent = current.model_copy(
            update={
                "published_ms": current.published_ms or sent_ms,
                "sent_count": current.sent_count + 1,
                "last_sent_ms": sent_ms,
            }
        )
        sent = sent.model_copy(update={"next_due_ms": next_due(sent, sent_ms, policy)})
        try:
            return alerts.save(sent)
        except StaleAlert:
            continue
    raise StorageError(f"alert {alert_id}: too much contention marking it sent")


class AlertResender:
    """Runs every minute: publishes alerts the ingest path could not, re-sends open high ones."""

    def __init__(
        self,
        *,
        alerts: AlertRepository,
        publisher: AlertPublisher,
        policy: AlertPolicy = AlertPolicy(),
        clock: Clock,
        batch: int = 100,
    ):
        self.alerts, self.publisher, self.policy, self.clock, self.batch = (
            alerts,
            publisher,
            policy,
            clock,
            batch,
        )

    def run(self) -> dict:
        now = self.clock()
        sent = first = cleared = escalated = 0
        for alert in self.alerts.due(now, self.batch):
            if alert.next_due_ms is None or alert.next_due_ms > now:
                continue  # the index lagged behind a change
            due = escalation_due(alert, self.policy)
            if due is not None and due <= now:
                self._escalate(alert, now)  # a send too, marked ``escalated``
                escalated += 1
                sent += 1
                continue
            resend_at = (alert.last_sent_ms or 0) + self.policy.resend_ms
            if alert.status == "open" and (
                not alert.published or (next_due(alert, now, self.policy) and resend_at <= now)
            ):
                was_published = alert.published
                sent_ms = self.publisher.publish(alert)
                mark_sent(self.alerts, alert.alert_id, sent_ms, self.policy)
                sent += 1
                first += not was_published
                log.info(
                    "alert re-sent" if was_published else "alert published by the re-sender",
                    extra={"alert_id": alert.alert_id, "send": alert.sent_count + 1},
                )
            elif alert.status == "open" and next_due(alert, alert.last_sent_ms or now, self.policy):
                # woke for an escalation that no longer applies (claimed): back to its re-send time
                self._clear(alert, next_due(alert, alert.last_sent_ms or now, self.policy))
            else:
                self._clear(alert)
                cleared += 1
        return {"sent": sent, "first_sends": first, "cleared": cleared, "escalated": escalated}

    def _escalate(self, alert: Alert, now: int) -> None:
        """Nobody claimed it in time: send it again marked ``escalated`` (the zone's supervisor
        and dispatch act on that flag), once."""
        marked = alert.model_copy(update={"escalated_ms": now})
        sent_ms = self.publisher.publish(marked)
        for _ in range(MAX_ATTEMPTS):
            current = self.alerts.get(alert.alert_id)
            if current is None or current.escalated_ms is not None:
                return
            updated = current.model_copy(
                update={
                    "escalated_ms": now,
                    "sent_count": current.sent_count + 1,
                    "last_sent_ms": sent_ms,
                }
            )
            updated = updated.model_copy(update={"next_due_ms": next_due(updated, sent_ms, self.policy)})
            try:
                self.alerts.save(updated)
                log.warning("alert escalated: unclaimed", extra={"alert_id": alert.alert_id})
                return
            except StaleAlert:
                continue

    def _clear(self, alert: Alert, next_due_ms: int | None = None) -> None:
        try:
            self.alerts.save(alert.model_copy(update={"next_due_ms": next_due_ms}))
        except StaleAlert:
            pass  # changed meanwhile: looked at again next run


class AlertDesk:
    """The patrol side of the API: feed, view (audited), acknowledge with an outcome.

    Scoped by the caller's zones (identity claim ``custom:zones``): a person sees, opens and
    acknowledges only alerts seen in one of their zones, national entries' alerts, or any
    alert with national scope; anything else is a 403, audited. Patrol views obey the
    administrative window: a sighting older than ``admin_window_days`` is not shown.
    """

    def __init__(
        self,
        *,
        alerts: AlertRepository,
        watchlist: WatchlistRepository,
        audit: AuditTrail,
        presigner=None,
        presign_ttl_s: int = 900,
        known_zones: Container[str] | None = None,
        admin_window_days: int = 30,
        clock: Clock,
        changes: AlertChanges | None = None,
    ):
        self.alerts, self.watchlist, self.audit = alerts, watchlist, audit
        #: told of every claim and close, so every officer of the zone sees it at once (live channel)
        self.changes = changes
        self.presigner, self.presign_ttl_s, self.clock = presigner, presign_ttl_s, clock
        #: the zones a feed may name (``anpr.alerts.zones.ZoneDirectory``; None: not checked)
        self.known_zones = known_zones
        self.admin_window_days = admin_window_days

    # -- scope -----------------------------------------------------------------------------

    def _deny(self, caller: Caller, resource: str, why: str, plates: list[str] = ()) -> Forbidden:
        self.audit.record(
            AuditEvent.by(
                caller,
                "access.denied",
                outcome="denied",
                resource=resource,
                plates=sorted(set(plates)),
                detail={"why": why},
            )
        )
        return Forbidden(why)

    def _check_feed_zone(self, zone: str, caller: Caller) -> None:
        if zone != NATIONAL and self.known_zones is not None and zone not in self.known_zones:
            raise BadRequest(f"unknown zone {zone!r}: no camera is registered in it (or use 'national')")
        if not caller.zones:
            raise self._deny(caller, f"alerts/{zone}", _NO_ZONE)
        if zone != NATIONAL and not caller.covers_zone(zone):
            raise self._deny(
                caller,
                f"alerts/{zone}",
                f"zone {zone} is not one of your zones ({', '.join(sorted(caller.zones))})",
            )

    @staticmethod
    def in_scope(alert: Alert, caller: Caller, *, acting: bool = False) -> bool:
        """National scope sees everything; a zone sees national entries' alerts and the alerts
        of cars seen in it. Acting on an alert (acknowledging: it stops the re-sends for
        everyone) is for the zones where the car was seen, or national scope."""
        if not caller.zones:
            return False
        seen_here = caller.national_scope or bool(caller.zones & alert.zones_seen)
        return seen_here or (alert.national and not acting)

    def _window_start_ms(self) -> int:
        return self.clock() - self.admin_window_days * DAY_MS

    def _scoped(self, alert_id: str, caller: Caller, action: str) -> Alert:
        """The alert as this caller may see it (sightings within the administrative window)."""
        alert = self.alerts.get(alert_id)
        if alert is None or alert.status == "late":
            raise NotFound(f"alert {alert_id} not found")
        resource = f"alert/{alert_id}"
        if not caller.zones:
            raise self._deny(caller, resource, _NO_ZONE, [alert.plate])
        if not self.in_scope(alert, caller, acting=action in ("acknowledgement", "claim")):
            raise self._deny(
                caller,
                resource,
                f"alert {alert_id} is for zone(s) {', '.join(sorted(alert.zones_seen))}, not yours "
                f"({', '.join(sorted(caller.zones))}): {action} refused",
                [alert.plate],
            )
        start = self._window_start_ms()
        recent = tuple(s for s in alert.sightings if s.capture_ms >= start)
        if not recent:
            raise self._deny(
                caller,
                resource,
                f"alert {alert_id} is older than the administrative window ({self.admin_window_days} days): "
                "not shown to patrol",
                [alert.plate],
            )
        return (
            alert if len(recent) == len(alert.sightings) else alert.model_copy(update={"sightings": recent})
        )

    # -- routes ----------------------------------------------------------------------------

    def feed(self, zone: str, status: str, limit: int, caller: Caller) -> list[Alert]:
        if status not in ("open", "acknowledged"):
            raise BadRequest("status must be 'open' or 'acknowledged'")
        self._check_feed_zone(zone, caller)
        found = self.alerts.feed(zone, status, limit)
        if zone != NATIONAL:
            found += self.alerts.feed(NATIONAL, status, limit)
        start = self._window_start_ms()
        found = [a for a in found if a.latest.capture_ms >= start and self.in_scope(a, caller)]
        found = sorted(found, key=lambda a: a.latest.capture_ms, reverse=True)[:limit]
        self._audit_shown(found, zone, status, caller)
        return found

    def _audit_shown(self, shown: list[Alert], zone: str, status: str, caller: Caller) -> None:
        record_shown(self.alerts, self.audit, self.clock(), shown, f"{zone}/{status}", caller)

    def view(self, alert_id: str, caller: Caller) -> Alert:
        alert = self._scoped(alert_id, caller, "view")
        self.audit.record(audit_event("alert.viewed", caller, f"alert/{alert_id}", plates=[alert.plate]))
        return alert

    def claim(self, alert_id: str, caller: Caller) -> Alert:
        """ "I'm on it": the claim is on the alert for every officer of the zone to see."""
        self._scoped(alert_id, caller, "claim")
        for _ in range(MAX_ATTEMPTS):
            alert = self.alerts.get(alert_id)
            if alert is None:
                raise NotFound(f"alert {alert_id} not found")
            if alert.status != "open":
                raise Conflict(f"alert {alert_id} is already closed")
            if alert.claim is not None:
                if alert.claim.by_id == caller.user_id:
                    return alert
                raise Conflict(
                    f"alert {alert_id} is already claimed by {alert.claim.by_name or alert.claim.by_id}"
                )
            claim = Claim(by_id=caller.user_id, by_name=caller.username, at_ms=self.clock())
            try:
                saved = self.alerts.save(alert.model_copy(update={"claim": claim}))
                break
            except StaleAlert:
                continue
        else:
            raise StorageError(f"alert {alert_id}: too much contention")
        self.audit.record(audit_event("alert.claimed", caller, f"alert/{alert_id}", plates=[alert.plate]))
        self._changed("alert.claimed", saved)
        return saved

    def follow_up(self, zone: str, start_ms: int, end_ms: int, caller: Caller, limit: int = 1000) -> dict:
        """The supervisor's view of one zone and shift: open, claimed, closed and escalated
        alerts (by first sighting in [start, end]) and the follow-up rate."""
        self._check_feed_zone(zone, caller)
        if end_ms <= start_ms:
            raise BadRequest("the shift must end after it starts")
        found = {
            a.alert_id: a
            for status in ("open", "acknowledged")
            for feed_zone in {zone, NATIONAL}
            for a in self.alerts.feed(feed_zone, status, limit)
            if start_ms <= a.first.capture_ms <= end_ms
            and (zone == NATIONAL or zone in a.zones_seen)
            and self.in_scope(a, caller)
        }
        alerts = sorted(found.values(), key=lambda a: a.first.capture_ms)
        counts = {
            "raised": len(alerts),
            "open_unclaimed": sum(a.status == "open" and a.claim is None for a in alerts),
            "claimed": sum(a.status == "open" and a.claim is not None for a in alerts),
            "closed": sum(a.status == "acknowledged" for a in alerts),
            "escalated": sum(a.escalated_ms is not None for a in alerts),
        }
        rate = counts["closed"] / counts["raised"] if counts["raised"] else None
        self.audit.record(
            audit_event(
                "alert.follow_up_viewed",
                caller,
                f"alerts/{zone}",
                plates=sorted({a.plate for a in alerts}),
                detail={"start_ms": start_ms, "end_ms": end_ms, **counts},
            )
        )
        return {
            "zone": zone,
            "start_ms": start_ms,
            "end_ms": end_ms,
            **counts,
            "follow_up_rate": rate,
            "unanswered": [
                {"alert_id": a.alert_id, "priority": a.priority.value, "first_seen_ms": a.first.capture_ms}
                for a in alerts
                if a.status == "open" and a.claim is None
            ],
        }

    def acknowledge(self, alert_id: str, outcome: Outcome, comment: str, caller: Caller) -> Alert:
        comment = comment.strip()
        if outcome == Outcome.OTHER and not comment:
            raise BadRequest("outcome 'other' needs a comment")
        self._scoped(alert_id, caller, "acknowledgement")
        for _ in range(MAX_ATTEMPTS):
            alert = self.alerts.get(alert_id)
            if alert is None:
                raise NotFound(f"alert {alert_id} not found")
            if alert.status != "open":
                raise Conflict(f"alert {alert_id} is already acknowledged")
            ack = Acknowledgement(
                outcome=outcome,
                comment=comment,
                by_id=caller.user_id,
                by_name=caller.username,
                at_ms=self.clock(),
            )
            try:
                saved = self.alerts.save(
                    alert.model_copy(
                        update={"status": "acknowledged", "acknowledgement": ack, "next_due_ms": None}
                    )
                )
                break
            except StaleAlert:
                continue
        else:
            raise StorageError(f"alert {alert_id}: too much contention")
        if outcome == Outcome.MISREAD:
            self.watchlist.record_misread(alert.entry_id)
        self.audit.record(
            audit_event(
                "alert.acknowledged",
                caller,
                f"alert/{alert_id}",
                plates=[alert.plate],
                detail={"outcome": outcome.value, "comment": comment, "entry_id": alert.entry_id},
            )
        )
        self._changed("alert.closed", saved)
        return saved

    def _changed(self, change: str, alert: Alert) -> None:
        """Best effort: the claim or close is stored and answered; a failed broadcast is logged
        (every officer's feed shows it on the next refresh or reconnect)."""
        if self.changes is None:
            return
        try:
            self.changes.changed(change, alert.alert_id)
        except Exception:  # never fail the stored action for its broadcast
            log.exception("alert change not broadcast", extra={"alert_id": alert.alert_id, "change": change})


_NO_ZONE = "your identity carries no police zone (custom:zones): ask your administrator to set it"
