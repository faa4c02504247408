"""Fakes of the alerts ports (same contracts as the adapters)."""

from __future__ import annotations

from anpr.alerts.models import Alert, WatchlistEntry
from anpr.alerts.publisher import AlertDeliveryError
from anpr.alerts.store import Pointer, StaleAlert
from anpr.kernel.clock import Clock
from anpr.kernel.errors import Conflict


class InMemoryAlertRepository:
    """Fake for unit tests: same contract (versions, conditional pointer claims)."""

    def __init__(self):
        self.alerts: dict[str, Alert] = {}
        self.pointers: dict[tuple[str, str], Pointer] = {}
        self.seen_by: dict[tuple[str, str], int] = {}
        self.late: dict[str, Alert] = {}

    def get(self, alert_id: str) -> Alert | None:
        return self.alerts.get(alert_id)

    def create(self, alert: Alert) -> Alert:
        if alert.alert_id in self.alerts:
            return self.alerts[alert.alert_id]
        stored = alert.model_copy(update={"version": 1})
        self.alerts[alert.alert_id] = stored
        return stored

    def record_late(self, hit: Alert) -> Alert:
        self.late.setdefault(hit.alert_id, hit)
        return hit

    def save(self, alert: Alert) -> Alert:
        current = self.alerts.get(alert.alert_id)
        if current is None or current.version != alert.version:
            raise StaleAlert(alert.alert_id)
        stored = alert.model_copy(update={"version": (alert.version or 0) + 1})
        self.alerts[alert.alert_id] = stored
        return stored

    def pointer(self, entry_id: str, plate: str) -> Pointer | None:
        return self.pointers.get((entry_id, plate))

    def claim_pointer(self, entry_id: str, plate: str, alert_id: str, seen_ms: int, window_ms: int) -> bool:
        p = self.pointers.get((entry_id, plate))
        if p is None or p.last_seen_ms < seen_ms - window_ms or p.alert_id == alert_id:
            self.pointers[(entry_id, plate)] = Pointer(alert_id, seen_ms)
            return True
        return False

    def touch_pointer(self, entry_id: str, plate: str, alert_id: str, seen_ms: int, window_ms: int) -> None:
        p = self.pointers.get((entry_id, plate))
        if p is not None and p.alert_id == alert_id and p.last_seen_ms < seen_ms:
            self.pointers[(entry_id, plate)] = Pointer(alert_id, seen_ms)

    def feed(self, zone: str, status: str, limit: int) -> list[Alert]:
        found = [a for a in self.alerts.values() if a.feed_zone == zone and a.status == status]
        return sorted(found, key=lambda a: a.latest.capture_ms, reverse=True)[:limit]

    def due(self, before_ms: int, limit: int) -> list[Alert]:
        found = [a for a in self.alerts.values() if a.next_due_ms is not None and a.next_due_ms <= before_ms]
        return sorted(found, key=lambda a: a.next_due_ms)[:limit]

    def seen(self, user_id: str, alert_ids: list[str]) -> set[str]:
        return {a for a in alert_ids if (user_id, a) in self.seen_by}

    def mark_seen(self, user_id: str, alerts: list[Alert], at_ms: int) -> None:
        for a in alerts:
            self.seen_by[(user_id, a.alert_id)] = at_ms


class InMemoryWatchlistRepository:
    """Fake for unit tests and the benchmark; counts full loads (``loads``)."""

    def __init__(self, entries: list[WatchlistEntry] = ()):
        self.entries: dict[str, WatchlistEntry] = {e.entry_id: e for e in entries}
        self._version = 0
        self.loads = 0
        self.version_reads = 0

    def get(self, entry_id: str) -> WatchlistEntry | None:
        return self.entries.get(entry_id)

    def create(self, entry: WatchlistEntry) -> None:
        if entry.entry_id in self.entries:
            raise Conflict(f"watchlist entry {entry.entry_id} already exists")
        self.entries[entry.entry_id] = entry

    def create_many(self, entries: list[WatchlistEntry]) -> None:
        for e in entries:
            self.create(e)

    def replace(self, entry: WatchlistEntry, expected_updated_ms: int) -> None:
        current = self.entries.get(entry.entry_id)
        if current is None or current.updated_ms != expected_updated_ms:
            raise Conflict(f"watchlist entry {entry.entry_id} changed meanwhile; reload it")
        self.entries[entry.entry_id] = entry

    def delete(self, entry_id: str, expected_updated_ms: int) -> None:
        current = self.entries.get(entry_id)
        if current is None or current.updated_ms != expected_updated_ms:
            raise Conflict(f"watchlist entry {entry_id} changed meanwhile; reload it")
        del self.entries[entry_id]

    def page(
        self, limit: int, cursor: str | None = None, plate: str | None = None
    ) -> tuple[list[WatchlistEntry], str | None]:
        ids = sorted(i for i, e in self.entries.items() if not plate or e.plate == plate)
        start = int(cursor or 0)
        nxt = start + limit
        return [self.entries[i] for i in ids[start:nxt]], (str(nxt) if nxt < len(ids) else None)

    def active(self, now_ms: int) -> list[WatchlistEntry]:
        self.loads += 1
        return [e for e in self.entries.values() if e.expires_ms > now_ms]

    def version(self) -> int:
        self.version_reads += 1
        return self._version

    def bump_version(self, now_ms: int) -> int:
        self._version += 1
        return self._version

    def record_misread(self, entry_id: str) -> None:
        if entry_id in self.entries:
            e = self.entries[entry_id]
            self.entries[entry_id] = e.model_copy(update={"misread_count": e.misread_count + 1})


class InMemoryAlertPublisher:
    """Fake: records what was sent; ``fail_next`` makes the next publish fail."""

    def __init__(self, clock: Clock):
        self.sent: list[Alert] = []
        self.fail_next = 0
        self.clock = clock

    def publish(self, alert: Alert) -> int:
        if self.fail_next:
            self.fail_next -= 1
            raise AlertDeliveryError(f"alert {alert.alert_id} not published: injected failure")
        self.sent.append(alert)
        return self.clock()
