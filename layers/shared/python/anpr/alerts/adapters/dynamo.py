"""DynamoDB adapters of the alerts concern (ports: ``anpr.alerts.ports``).

Alerts table, one table, three item kinds:
- ``A#{alert_id}``: the alert (JSON document + the GSI keys of the patrol feed and the
  re-sender), written with optimistic locking (a version number) so concurrent sightings and
  acknowledgements never overwrite each other;
- ``D#{entry_id}#{plate}``: the open-alert pointer of the dedupe window (which alert a new
  sighting of this plate against this entry extends, and when it was last seen). Claimed with
  a conditional put, so two containers seeing the same car at once still raise one alert;
- ``L#{alert_id}``: a late hit (a listed plate in a capture older than the freshness limit:
  kept for the record, not an alert; never published, in no feed);
- ``V#{user_id}#{alert_id}``: this person was shown this alert in their feed (so the feed's
  audit records what a person saw once, not every poll); expires with the alert.

Watchlist table: the entries, and one stamp item (``entry_id = "#version"``) whose number goes
up on every change. Ingest containers poll that one item (GetItem) and reload the entries only
when it moved: never a scan per read.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

from pynamodb.attributes import (
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import DoesNotExist, PutError, PynamoDBException, UpdateError
from pynamodb.models import Model

from anpr.alerts.models import Alert, MatchKind, WatchlistEntry, from_ms
from anpr.alerts.ports import Pointer, StaleAlert
from anpr.kernel.clock import ms_to_dt
from anpr.kernel.db import StorageError, all_projection_index, save_all, table_meta, table_models
from anpr.kernel.errors import BadRequest, Conflict

# -- Alerts table ---------------------------------------------------------------------------

DUE = "due"


def _is_conditional(exc: PynamoDBException) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


def alert_pk(alert_id: str) -> str:
    return f"A#{alert_id}"


def late_pk(alert_id: str) -> str:
    return f"L#{alert_id}"


def pointer_pk(entry_id: str, plate: str) -> str:
    return f"D#{entry_id}#{plate}"


def hits_pk(entry_id: str) -> str:
    """The counter of exact-match alerts raised for one watchlist entry (its hit count)."""
    return f"H#{entry_id}"


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

    class AlertItem(Model):
        Meta = table_meta(table_name, region, host)

        pk = UnicodeAttribute(hash_key=True)
        doc = UnicodeAttribute()
        zone_status = UnicodeAttribute()
        seen_sk = UnicodeAttribute()
        due_pk = UnicodeAttribute(null=True)
        due_sk = UnicodeAttribute(null=True)
        version = VersionAttribute()
        expires_at = TTLAttribute(null=True)
        by_zone = all_projection_index("byZone", "zone_status", "seen_sk")
        by_due = all_projection_index("byDue", "due_pk", "due_sk")

    class PointerItem(Model):
        Meta = table_meta(table_name, region, host)

        pk = UnicodeAttribute(hash_key=True)
        alert_id = UnicodeAttribute()
        last_seen_ms = NumberAttribute()
        expires_at = TTLAttribute(null=True)

    return AlertItem, PointerItem


@table_models
def hits_model(table_name: str, region: str, host: str | None) -> type[Model]:
    class HitsItem(Model):
        Meta = table_meta(table_name, region, host)

        pk = UnicodeAttribute(hash_key=True)
        hits = NumberAttribute(null=True)

    return HitsItem


@table_models
def seen_model(table_name: str, region: str, host: str | None) -> type[Model]:
    class SeenItem(Model):
        Meta = table_meta(table_name, region, host)

        pk = UnicodeAttribute(hash_key=True)
        at_ms = NumberAttribute()
        expires_at = TTLAttribute(null=True)

    return SeenItem


class DynamoAlertRepository:
    def __init__(self, table_name: str, region: str):
        self._alert, self._pointer = alerts_models(table_name, region)
        self._seen = seen_model(table_name, region)
        self._hits = hits_model(table_name, region)

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
        if alert.match_kind == MatchKind.EXACT:
            self._count_hit(alert.entry_id)
        return alert.model_copy(update={"version": item.version})

    def _count_hit(self, entry_id: str) -> None:
        try:
            self._hits(pk=hits_pk(entry_id)).update(actions=[self._hits.hits.add(1)])
        except UpdateError as exc:
            raise StorageError(f"alerts hit count failed: {exc.msg}") from exc

    def hit_counts(self, entry_ids: list[str]) -> dict[str, int]:
        """Exact-match alerts raised per entry (entries without one are left out)."""
        try:
            items = self._hits.batch_get([hits_pk(e) for e in dict.fromkeys(entry_ids)])
            return {i.pk.removeprefix("H#"): int(i.hits or 0) for i in items}
        except PynamoDBException as exc:
            raise StorageError(f"alerts hit count read failed: {exc.msg}") from exc

    def record_late(self, hit: Alert) -> Alert:
        item = self._to_item(hit.model_copy(update={"version": None}))
        item.pk = late_pk(hit.alert_id)
        try:
            item.save()  # never overwrites: a retried late read is recorded once
        except PutError as exc:
            if _is_conditional(exc):
                return hit
            raise StorageError(f"alerts write failed: {exc.msg}") from exc
        return hit

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
        seen = (
            self._seen(pk=seen_pk(user_id, a.alert_id), at_ms=at_ms, expires_at=_ttl_s(a.expires_at))
            for a in alerts
        )
        save_all(self._seen, seen, "alerts seen write")

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


# -- Watchlist table ------------------------------------------------------------------------

VERSION_ID = "#version"


def encode_cursor(key: dict | None) -> str | None:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode() if key else None


def decode_cursor(cursor: str | None) -> dict | None:
    if not cursor:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError) as exc:
        raise BadRequest("invalid cursor") from exc


@table_models
def watchlist_model(table_name: str, region: str, host: str | None) -> type[Model]:
    class WatchlistItem(Model):
        Meta = table_meta(table_name, region, host)

        entry_id = UnicodeAttribute(hash_key=True)
        # the stamp item has only "version" and "changed_ms"
        version = NumberAttribute(null=True)
        changed_ms = NumberAttribute(null=True)
        plate = UnicodeAttribute(null=True)
        country = UnicodeAttribute(null=True)
        category = UnicodeAttribute(null=True)
        priority = UnicodeAttribute(null=True)
        reason = UnicodeAttribute(null=True)
        owning_unit = UnicodeAttribute(null=True)
        handling_instructions = UnicodeAttribute(null=True)
        valid_from_ms = NumberAttribute(null=True)
        expires_ms = NumberAttribute(null=True)
        zones = ListAttribute(of=UnicodeAttribute, null=True)
        created_by = UnicodeAttribute(null=True)
        created_ms = NumberAttribute(null=True)
        updated_by = UnicodeAttribute(null=True)
        updated_ms = NumberAttribute(null=True)
        misread_count = NumberAttribute(null=True)

    return WatchlistItem


class DynamoWatchlistRepository:
    def __init__(self, table_name: str, region: str):
        self._model = watchlist_model(table_name, region)

    def get(self, entry_id: str) -> WatchlistEntry | None:
        if entry_id == VERSION_ID:
            return None
        try:
            return self._from_item(self._model.get(entry_id, consistent_read=True))
        except DoesNotExist:
            return None
        except PynamoDBException as exc:
            raise StorageError(f"watchlist read failed: {exc.msg}") from exc

    def create(self, entry: WatchlistEntry) -> None:
        try:
            self._to_item(entry).save(condition=self._model.entry_id.does_not_exist())
        except PutError as exc:
            if _is_conditional(exc):
                raise Conflict(f"watchlist entry {entry.entry_id} already exists") from exc
            raise StorageError(f"watchlist write failed: {exc.msg}") from exc

    def create_many(self, entries: list[WatchlistEntry]) -> None:
        save_all(self._model, map(self._to_item, entries), "watchlist batch write")

    def replace(self, entry: WatchlistEntry, expected_updated_ms: int) -> None:
        try:
            self._to_item(entry).save(condition=self._model.updated_ms == expected_updated_ms)
        except PutError as exc:
            if _is_conditional(exc):
                raise Conflict(f"watchlist entry {entry.entry_id} changed meanwhile; reload it") from exc
            raise StorageError(f"watchlist write failed: {exc.msg}") from exc

    def delete(self, entry_id: str, expected_updated_ms: int) -> None:
        try:
            self._model(entry_id=entry_id).delete(condition=self._model.updated_ms == expected_updated_ms)
        except PynamoDBException as exc:
            if _is_conditional(exc):
                raise Conflict(f"watchlist entry {entry_id} changed meanwhile; reload it") from exc
            raise StorageError(f"watchlist delete failed: {exc.msg}") from exc

    def page(
        self, limit: int, cursor: str | None = None, plate: str | None = None
    ) -> tuple[list[WatchlistEntry], str | None]:
        condition = self._model.plate.exists()
        if plate:
            condition &= self._model.plate == plate
        try:
            result = self._model.scan(condition, limit=limit, last_evaluated_key=decode_cursor(cursor))
            entries = [self._from_item(i) for i in result]
            return entries, encode_cursor(result.last_evaluated_key)
        except PynamoDBException as exc:
            raise StorageError(f"watchlist scan failed: {exc.msg}") from exc

    def active(self, now_ms: int) -> list[WatchlistEntry]:
        try:
            # paginated scan, filtered server-side; only on a version change (see module doc)
            return [self._from_item(i) for i in self._model.scan(self._model.expires_ms > now_ms)]
        except PynamoDBException as exc:
            raise StorageError(f"watchlist scan failed: {exc.msg}") from exc

    def version(self) -> int:
        try:
            return int(self._model.get(VERSION_ID, consistent_read=True).version or 0)
        except DoesNotExist:
            return 0
        except PynamoDBException as exc:
            raise StorageError(f"watchlist version read failed: {exc.msg}") from exc

    def bump_version(self, now_ms: int) -> int:
        stamp = self._model(entry_id=VERSION_ID)
        try:
            stamp.update(actions=[self._model.version.add(1), self._model.changed_ms.set(now_ms)])
        except UpdateError as exc:
            raise StorageError(f"watchlist version bump failed: {exc.msg}") from exc
        return int(stamp.version)

    def record_misread(self, entry_id: str) -> None:
        try:
            self._model(entry_id=entry_id).update(
                actions=[self._model.misread_count.add(1)], condition=self._model.entry_id.exists()
            )
        except UpdateError as exc:
            if _is_conditional(exc):
                return  # the entry was deleted since: nothing to count against
            raise StorageError(f"watchlist update failed: {exc.msg}") from exc

    def _to_item(self, e: WatchlistEntry):
        return self._model(
            entry_id=e.entry_id,
            plate=e.plate,
            country=e.country,
            category=e.category.value,
            priority=e.priority.value,
            reason=e.reason,
            owning_unit=e.owning_unit,
            handling_instructions=e.handling_instructions,
            valid_from_ms=e.valid_from_ms,
            expires_ms=e.expires_ms,
            zones=list(e.zones),
            created_by=e.created_by,
            created_ms=e.created_ms,
            updated_by=e.updated_by,
            updated_ms=e.updated_ms,
            misread_count=e.misread_count,
        )

    @staticmethod
    def _from_item(item) -> WatchlistEntry:
        d = item.attribute_values
        return WatchlistEntry(
            entry_id=d["entry_id"],
            plate=d["plate"],
            country=d.get("country"),
            category=d["category"],
            priority=d["priority"],
            reason=d["reason"],
            owning_unit=d["owning_unit"],
            handling_instructions=d.get("handling_instructions") or "",
            valid_from=from_ms(int(d["valid_from_ms"])),
            expires=from_ms(int(d["expires_ms"])),
            zones=list(d.get("zones") or []),
            created_by=d.get("created_by") or "",
            created_ms=int(d.get("created_ms") or 0),
            updated_by=d.get("updated_by") or "",
            updated_ms=int(d.get("updated_ms") or 0),
            misread_count=int(d.get("misread_count") or 0),
        )
