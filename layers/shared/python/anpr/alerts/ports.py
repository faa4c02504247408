"""The alerts concern's ports: what its services need from storage and messaging.

Adapters: ``anpr.alerts.adapters`` (DynamoDB, SNS, S3); in-memory fakes:
``tests/fakes/alerts.py``. Errors the services act on are declared here (``StaleAlert``,
``AlertDeliveryError``); adapters translate SDK errors into them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from anpr.alerts.models import Alert, WatchlistEntry


class StaleAlert(Exception):
    """Someone else changed the alert since it was read: reload and retry."""


@dataclass(frozen=True)
class Pointer:
    alert_id: str
    last_seen_ms: int


class AlertRepository(Protocol):
    def get(self, alert_id: str) -> Alert | None: ...

    def create(self, alert: Alert) -> Alert:
        """Stores a new alert; returns the stored one when that id already exists (a retry)."""

    def record_late(self, hit: Alert) -> Alert:
        """Keeps a late hit (status "late": not an alert, never published) once per id."""

    def save(self, alert: Alert) -> Alert:
        """Stores a changed alert if ``alert.version`` is still current; raises StaleAlert."""

    def pointer(self, entry_id: str, plate: str) -> Pointer | None: ...

    def claim_pointer(self, entry_id: str, plate: str, alert_id: str, seen_ms: int, window_ms: int) -> bool:
        """Points (entry, plate) at ``alert_id`` unless another alert is open within the window."""

    def touch_pointer(
        self, entry_id: str, plate: str, alert_id: str, seen_ms: int, window_ms: int
    ) -> None: ...

    def feed(self, zone: str, status: str, limit: int) -> list[Alert]:
        """Newest first."""

    def due(self, before_ms: int, limit: int) -> list[Alert]: ...

    def seen(self, user_id: str, alert_ids: list[str]) -> set[str]:
        """Which of ``alert_ids`` this person has been shown already."""

    def mark_seen(self, user_id: str, alerts: list[Alert], at_ms: int) -> None:
        """Remembers that this person was shown ``alerts`` (until each alert expires)."""


class WatchlistRepository(Protocol):
    def get(self, entry_id: str) -> WatchlistEntry | None: ...

    def create(self, entry: WatchlistEntry) -> None:
        """Raises Conflict when the id exists."""

    def create_many(self, entries: list[WatchlistEntry]) -> None:
        """Bulk import: fresh ids only (no condition needed)."""

    def replace(self, entry: WatchlistEntry, expected_updated_ms: int) -> None:
        """Raises Conflict when someone changed it since ``expected_updated_ms`` (lost update)."""

    def delete(self, entry_id: str, expected_updated_ms: int) -> None: ...

    def page(
        self, limit: int, cursor: str | None = None, plate: str | None = None
    ) -> tuple[list[WatchlistEntry], str | None]: ...

    def active(self, now_ms: int) -> list[WatchlistEntry]:
        """Every entry not expired at ``now_ms`` (including not-yet-valid ones)."""

    def version(self) -> int: ...

    def bump_version(self, now_ms: int) -> int: ...

    def record_misread(self, entry_id: str) -> None: ...


class AlertDeliveryError(RuntimeError):
    """The topic did not take the alert: the caller retries (the alert stays unpublished)."""


class Presigner(Protocol):
    def url(self, bucket: str, key: str | None) -> str | None: ...


class AlertPublisher(Protocol):
    def publish(self, alert: Alert) -> int:
        """Sends the alert once; returns the send time (ms). Raises AlertDeliveryError."""


class AlertChanges(Protocol):
    """Where claims and closes are announced (``alert.claimed``/``alert.closed``): the live
    channel's fan-out (``anpr.live.adapters.sqs.QueueAlertChanges``)."""

    def changed(self, change: str, alert_id: str) -> None: ...
