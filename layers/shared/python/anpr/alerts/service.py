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
from dataclasses import dataclass

from anpr.alerts.audit import audit_event
from anpr.alerts.matcher import Matcher
from anpr.alerts.models import (
    Acknowledgement,
    Alert,
    Match,
    MatchKind,
    Outcome,
    Priority,
    Sighting,
    alert_id_for,
    new_alert,
    with_sighting,
)
from anpr.alerts.publisher import AlertPublisher
from anpr.alerts.store import AlertRepository, StaleAlert
from anpr.alerts.watchlist import WatchlistRepository
from anpr.kernel.audit import AuditTrail
from anpr.kernel.auth import Caller
from anpr.kernel.clock import Clock
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

    @property
    def window_ms(self) -> int:
        return self.dedupe_window_s * 1000

    @property
    def resend_ms(self) -> int:
        return self.resend_after_s * 1000


def sighting_of(read: PlateRead, camera_name: str = "") -> Sighting:
    return Sighting(
        read_id=read.read_id,
        plate=read.plate,
        confidence=read.confidence,
        country=read.country,
        camera_id=read.camera_id,
        camera_name=camera_name,
        zone=read.zone,
        lat=read.lat,
        lon=read.lon,
        heading=read.heading,
        direction=read.direction,
        capture_ms=read.capture_ms,
        ingested_ms=read.ingested_ms,
        snapshot_bucket=read.snapshot_bucket,
        snapshot_key=read.snapshot_key,
        crop_key=read.crop_key,
    )


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
            for match in self.matcher.match(read):
                alert = self.record(match, sighting_of(read, self._camera_name(read.camera_id)))
                out.append(self.publish_if_needed(alert))
        return out

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
        if match.kind == MatchKind.EXACT and current.match_kind != MatchKind.EXACT:
            # a look-alike alert confirmed by an exact read: upgrade it and send it again
            extended = extended.model_copy(
                update={
                    "match_kind": match.kind,
                    "priority": match.priority,
                    "plate": match.read_plate,
                    "published_ms": None,
                }
            )
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


def next_due(alert: Alert, sent_ms: int, policy: AlertPolicy) -> int | None:
    """Open high-priority alerts come back to the re-sender until acknowledged (bounded)."""
    if alert.status != "open" or alert.priority != Priority.HIGH:
        return None
    if alert.sent_count > policy.max_resends:  # sent_count includes the first send
        return None
    return sent_ms + policy.resend_ms


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
        sent = first = cleared = 0
        for alert in self.alerts.due(now, self.batch):
            if alert.next_due_ms is None or alert.next_due_ms > now:
                continue  # the index lagged behind a change
            if alert.status == "open" and (not alert.published or next_due(alert, now, self.policy)):
                was_published = alert.published
                sent_ms = self.publisher.publish(alert)
                mark_sent(self.alerts, alert.alert_id, sent_ms, self.policy)
                sent += 1
                first += not was_published
                log.info(
                    "alert re-sent" if was_published else "alert published by the re-sender",
                    extra={"alert_id": alert.alert_id, "send": alert.sent_count + 1},
                )
            else:
                self._clear(alert)
                cleared += 1
        return {"sent": sent, "first_sends": first, "cleared": cleared}

    def _clear(self, alert: Alert) -> None:
        try:
            self.alerts.save(alert.model_copy(update={"next_due_ms": None}))
        except StaleAlert:
            pass  # changed meanwhile: looked at again next run


class AlertDesk:
    """The patrol side of the API: feed, view (audited), acknowledge with an outcome."""

    def __init__(
        self,
        *,
        alerts: AlertRepository,
        watchlist: WatchlistRepository,
        audit: AuditTrail,
        presigner=None,
        presign_ttl_s: int = 900,
        clock: Clock,
    ):
        self.alerts, self.watchlist, self.audit = alerts, watchlist, audit
        self.presigner, self.presign_ttl_s, self.clock = presigner, presign_ttl_s, clock

    def feed(self, zone: str, status: str, limit: int, caller: Caller) -> list[Alert]:
        if status not in ("open", "acknowledged"):
            raise BadRequest("status must be 'open' or 'acknowledged'")
        found = self.alerts.feed(zone, status, limit)
        if zone != "national":
            found += self.alerts.feed("national", status, limit)
        found = sorted(found, key=lambda a: a.latest.capture_ms, reverse=True)[:limit]
        self.audit.record(
            audit_event(
                "alert.listed",
                caller,
                f"alerts/{zone}/{status}",
                plates=[a.plate for a in found],
                detail={"count": len(found)},
            )
        )
        return found

    def view(self, alert_id: str, caller: Caller) -> Alert:
        alert = self.alerts.get(alert_id)
        if alert is None:
            raise NotFound(f"alert {alert_id} not found")
        self.audit.record(audit_event("alert.viewed", caller, f"alert/{alert_id}", plates=[alert.plate]))
        return alert

    def acknowledge(self, alert_id: str, outcome: Outcome, comment: str, caller: Caller) -> Alert:
        comment = comment.strip()
        if outcome == Outcome.OTHER and not comment:
            raise BadRequest("outcome 'other' needs a comment")
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
        return saved
