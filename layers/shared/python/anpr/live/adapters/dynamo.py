"""Connections and devices in DynamoDB, keyed so the fan-out reads a zone's members with one
Query: ``K#{key}`` (the record), ``Z#{zone}`` / ``{key}`` per zone of the person, and ``ALL`` /
``{key}`` (national entries' alerts go to everyone). Items expire with ``expires_at`` (TTL)."""

from __future__ import annotations

from collections.abc import Iterable

import boto3
from boto3.dynamodb.conditions import Key
from botocore.exceptions import BotoCoreError, ClientError

from anpr.kernel.db import StorageError
from anpr.live.ports import M

ALL = "ALL"
RECORD_SK = "#"


def _record_pk(key: str) -> str:
    return f"K#{key}"


def _zone_pk(zone: str) -> str:
    return f"Z#{zone}"


class DynamoMemberStore:
    def __init__(self, table_name: str, model: type[M], region: str | None = None, table=None):
        self.model = model
        self.table = table or boto3.resource("dynamodb", region_name=region).Table(table_name)

    def _items(self, item: M) -> list[dict]:
        doc = item.model_dump_json()
        rows = [(_record_pk(item.key), RECORD_SK), (ALL, item.key)]
        rows += [(_zone_pk(z), item.key) for z in item.zones]
        return [{"pk": pk, "sk": sk, "doc": doc, "expires_at": item.expires_at} for pk, sk in rows]

    def put(self, item: M) -> None:
        try:
            old = self.get(item.key)
            stale = set(old.zones) - set(item.zones) if old else set()
            with self.table.batch_writer() as batch:
                for z in stale:
                    batch.delete_item(Key={"pk": _zone_pk(z), "sk": item.key})
                for row in self._items(item):
                    batch.put_item(Item=row)
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"live store: {exc}") from exc

    def get(self, key: str) -> M | None:
        try:
            row = self.table.get_item(Key={"pk": _record_pk(key), "sk": RECORD_SK}).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"live store: {exc}") from exc
        return self.model.model_validate_json(row["doc"]) if row else None

    def delete(self, key: str) -> None:
        item = self.get(key)
        if item is None:
            return
        try:
            with self.table.batch_writer() as batch:
                for row in self._items(item):
                    batch.delete_item(Key={"pk": row["pk"], "sk": row["sk"]})
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"live store: {exc}") from exc

    def members(self, zones: Iterable[str] | None) -> list[M]:
        pks = [ALL] if zones is None else [_zone_pk(z) for z in sorted(set(zones))]
        found: dict[str, M] = {}
        try:
            for pk in pks:
                kwargs = {"KeyConditionExpression": Key("pk").eq(pk)}
                while True:
                    page = self.table.query(**kwargs)
                    for row in page.get("Items", []):
                        found.setdefault(row["sk"], self.model.model_validate_json(row["doc"]))
                    if "LastEvaluatedKey" not in page:
                        break
                    kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"live store: {exc}") from exc
        return list(found.values())
