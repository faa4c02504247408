"""Where watchlist entries are kept: the repository interface, DynamoDB and in-memory forms.

Besides the entries, the table holds one stamp item (``entry_id = "#version"``) whose number
goes up on every change. Ingest containers poll that one item (GetItem) and reload the
entries only when it moved: never a scan per read.
"""

from __future__ import annotations

import base64
import json
from typing import Protocol

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, PutError, PynamoDBException, UpdateError
from pynamodb.models import Model

from anpr.alerts.models import WatchlistEntry, from_ms
from anpr.kernel.db import StorageError, table_models
from anpr.kernel.errors import BadRequest, Conflict

VERSION_ID = "#version"


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


def _is_conditional(exc: PynamoDBException) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


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
    tname, treg, thost = table_name, region, host

    class WatchlistItem(Model):
        class Meta:
            table_name = tname
            region = treg
            host = thost

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
        try:
            with self._model.batch_write() as batch:
                for e in entries:
                    batch.save(self._to_item(e))
        except PynamoDBException as exc:
            raise StorageError(f"watchlist batch write failed: {exc.msg}") from exc

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
