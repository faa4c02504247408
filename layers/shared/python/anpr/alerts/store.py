"""Where alerts are kept: the repository interface, its DynamoDB and in-memory forms.

One table, two item kinds:
- ``A#{alert_id}``: the alert (JSON document + the GSI keys of the patrol feed and the
  re-sender), written with optimistic locking (a version number) so concurrent sightings and
  acknowledgements never overwrite each other;
- ``D#{entry_id}#{plate}``: the open-alert pointer of the dedupe window (which alert a new
  sighting of this plate against this entry extends, and when it was last seen). Claimed with
  a conditional put, so two containers seeing the same car at once still raise one alert;
- ``V#{user_id}#{alert_id}``: this person was shown this alert in their feed (so the feed's
  audit records what a person saw once, not every poll); expires with the alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.exceptions import DoesNotExist, PutError, PynamoDBException, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from anpr.alerts.models import Alert
from anpr.kernel.clock import ms_to_dt
from anpr.kernel.db import StorageError, table_models

DUE = "due"


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


def _is_conditional(exc: PynamoDBException) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


def alert_pk(alert_id: str) -> str:
    return f"A#{alert_id}"


def pointer_pk(entry_id: str, plate: str) -> str:
    return f"D#{entry_id}#{plate}"


def seen_pk(user_id: str, alert_id: str) -> str:
    return f"V#{user_id}#{alert_id}"


def index_keys(alert: Alert) -> dict:
    keys = {
        "zone_status": f"{alert.feed_zone}#{alert.status}",
        "seen_sk": f"{alert.latest.capture_ms:013d}#{alert.alert_id}",
        "due_pk": None,
        "due_sk": None,
    }
    if alert.next_due_ms is not None:
        keys["due_pk"], keys["due_sk"] = DUE, f"{alert.next_due_ms:013d}#{alert.alert_id}"
    return keys


@table_models
def alerts_models(table_name: str, region: str, host: str | None) -> tuple[type[Model], type[Model]]:
    tname, treg, thost = table_name, region, host

    class ByZone(GlobalSecondaryIndex):
        class Meta:
            index_name = "byZone"
            projection = AllProjection()

        zone_status = UnicodeAttribute(hash_key=True)
        seen_sk = UnicodeAttribute(range_key=True)

    class ByDue(GlobalSecondaryIndex):
        class Meta:
            index_name = "byDue"
            projection = AllProjection()

        due_pk = UnicodeAttribute(hash_key=True)
        due_sk = UnicodeAttribute(range_key=True)

    class AlertItem(Model):
        class Meta:
            table_name = tname
            region = treg
            host = thost

        pk = UnicodeAttribute(hash_key=True)
        doc = UnicodeAttribute()
        zone_status = UnicodeAttribute()
        seen_sk = UnicodeAttribute()
        due_pk = UnicodeAttribute(null=True)
        due_sk = UnicodeAttribute(null=True)
        version = VersionAttribute()
        expires_at = TTLAttribute(null=True)
        by_zone = ByZone()
        by_due = ByDue()

    class PointerItem(Model):
        class Meta:
            table_name = tname
            region = treg
            host = thost

        pk = UnicodeAttribute(hash_key=True)
        alert_id = UnicodeAttribute()
        last_seen_ms = NumberAttribute()
        expires_at = TTLAttribute(null=True)

    return AlertItem, PointerItem


@table_models
def seen_model(table_name: str, region: str, host: str | None) -> type[Model]:
    tname, treg, thost = table_name, region, host

    class SeenItem(Model):
        class Meta:
            table_name = tname
            region = treg
            host = thost

        pk = UnicodeAttribute(hash_key=True)
        at_ms = NumberAttribute()
        expires_at = TTLAttribute(null=True)

    return SeenItem


class DynamoAlertRepository:
    def __init__(self, table_name: str, region: str):
        self._alert, self._pointer = alerts_models(table_name, region)
        self._seen = seen_model(table_name, region)

    def get(self, alert_id: str) -> Alert | None:
        try:
            return self._from_item(self._alert.get(alert_pk(alert_id), consistent_read=True))
        except DoesNotExist:
            return None
        except PynamoDBException as exc:
            raise StorageError(f"alerts read failed: {exc.msg}") from exc

    def create(self, alert: Alert) -> Alert:
        item = self._to_item(alert.model_copy(update={"version": None}))
        try:
            item.save()  # version None → attribute_not_exists(version): never overwrites
        except PutError as exc:
            if _is_conditional(exc):
                existing = self.get(alert.alert_id)
                if existing is not None:
                    return existing
            raise StorageError(f"alerts write failed: {exc.msg}") from exc
        return alert.model_copy(update={"version": item.version})

    def save(self, alert: Alert) -> Alert:
        item = self._to_item(alert)
        try:
            item.save()  # conditioned on the version read
        except PutError as exc:
            if _is_conditional(exc):
                raise StaleAlert(alert.alert_id) from exc
            raise StorageError(f"alerts write failed: {exc.msg}") from exc
        return alert.model_copy(update={"version": item.version})

    def pointer(self, entry_id: str, plate: str) -> Pointer | None:
        try:
            item = self._pointer.get(pointer_pk(entry_id, plate), consistent_read=True)
        except DoesNotExist:
            return None
        except PynamoDBException as exc:
            raise StorageError(f"alerts pointer read failed: {exc.msg}") from exc
        return Pointer(item.alert_id, int(item.last_seen_ms))

    def claim_pointer(self, entry_id: str, plate: str, alert_id: str, seen_ms: int, window_ms: int) -> bool:
        m = self._pointer
        item = m(
            pk=pointer_pk(entry_id, plate),
            alert_id=alert_id,
            last_seen_ms=seen_ms,
            expires_at=_ttl(seen_ms + 2 * window_ms),
        )
        try:
            item.save(
                condition=m.pk.does_not_exist()
                | (m.last_seen_ms < seen_ms - window_ms)
                | (m.alert_id == alert_id)
            )
        except PutError as exc:
            if _is_conditional(exc):
                return False
            raise StorageError(f"alerts pointer write failed: {exc.msg}") from exc
        return True

    def touch_pointer(self, entry_id: str, plate: str, alert_id: str, seen_ms: int, window_ms: int) -> None:
        m = self._pointer
        try:
            m(pk=pointer_pk(entry_id, plate)).update(
                actions=[m.last_seen_ms.set(seen_ms), m.expires_at.set(_ttl(seen_ms + 2 * window_ms))],
                condition=(m.alert_id == alert_id) & (m.last_seen_ms < seen_ms),
            )
        except UpdateError as exc:
            if _is_conditional(exc):
                return  # a newer sighting already moved it, or another alert took over
            raise StorageError(f"alerts pointer write failed: {exc.msg}") from exc

    def feed(self, zone: str, status: str, limit: int) -> list[Alert]:
        try:
            items = self._alert.by_zone.query(f"{zone}#{status}", scan_index_forward=False, limit=limit)
            return [self._from_item(i) for i in items]
        except PynamoDBException as exc:
            raise StorageError(f"alerts feed query failed: {exc.msg}") from exc

    def due(self, before_ms: int, limit: int) -> list[Alert]:
        try:
            items = self._alert.by_due.query(DUE, self._alert.due_sk < f"{before_ms:013d}#~", limit=limit)
            # the index is eventually consistent: read each one back before acting on it
            return [a for a in (self.get(self._from_item(i).alert_id) for i in items) if a is not None]
        except PynamoDBException as exc:
            raise StorageError(f"alerts due query failed: {exc.msg}") from exc

    def seen(self, user_id: str, alert_ids: list[str]) -> set[str]:
        keys = {seen_pk(user_id, a): a for a in alert_ids}
        try:
            return {keys[item.pk] for item in self._seen.batch_get(list(keys))}
        except PynamoDBException as exc:
            raise StorageError(f"alerts seen read failed: {exc.msg}") from exc

    def mark_seen(self, user_id: str, alerts: list[Alert], at_ms: int) -> None:
        try:
            with self._seen.batch_write() as batch:
                for a in alerts:
                    batch.save(
                        self._seen(
                            pk=seen_pk(user_id, a.alert_id), at_ms=at_ms, expires_at=_ttl_s(a.expires_at)
                        )
                    )
        except PynamoDBException as exc:
            raise StorageError(f"alerts seen write failed: {exc.msg}") from exc

    def _to_item(self, alert: Alert):
        version = {"version": alert.version} if alert.version is not None else {}
        return self._alert(
            pk=alert_pk(alert.alert_id),
            doc=alert.model_dump_json(exclude={"version"}),
            expires_at=_ttl_s(alert.expires_at),
            **version,
            **index_keys(alert),
        )

    @staticmethod
    def _from_item(item) -> Alert:
        return Alert.model_validate_json(item.doc).model_copy(update={"version": item.version})


def _ttl(ms: int) -> datetime:
    return ms_to_dt(ms)


def _ttl_s(epoch_s: int) -> datetime | None:
    return datetime.fromtimestamp(epoch_s, tz=UTC) if epoch_s else None
