"""Where a partition's reads come from.

The DynamoDB source queries with the low-level client and a projection of the few
attributes searches use: it is the hot loop of a national fan-out, and skipping the full
model (and pynamodb's per-attribute deserialisation) is most of its cost. A partial-plate
search pushes its longest known run of characters down as ``contains(plate, :run)`` so only
candidates cross the network (the read capacity is the same; the transfer is not).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from botocore.exceptions import BotoCoreError, ClientError

from anpr.kernel.db import StorageError
from anpr.reads import keys
from anpr.search.models import SIGHTING_FIELDS, Sighting

#: the read attributes a search needs (the projection of every partition query)
_FIELDS = SIGHTING_FIELDS


class ReadSource(Protocol):
    def partition(
        self, pk: str, start_ms: int, end_ms: int, contains: str | None = None
    ) -> Iterator[Sighting]: ...

    def camera(self, camera_id: str, start_ms: int, end_ms: int) -> Iterator[Sighting]: ...

    def plate(self, plate: str, start_ms: int, end_ms: int) -> Iterator[Sighting]: ...


def _range(start_ms: int, end_ms: int) -> tuple[str, str]:
    return f"{start_ms:013d}#", f"{end_ms:013d}#~"


class DynamoReadSource:
    def __init__(self, table_name: str, client):
        self._table = table_name
        self._client = client
        self._names = {f"#{i}": f for i, f in enumerate(_FIELDS)}
        self._projection = ",".join(self._names)

    def partition(
        self, pk: str, start_ms: int, end_ms: int, contains: str | None = None
    ) -> Iterator[Sighting]:
        lo, hi = _range(start_ms, end_ms)
        kwargs = {
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": {":pk": {"S": pk}, ":lo": {"S": lo}, ":hi": {"S": hi}},
        }
        if contains:
            kwargs["FilterExpression"] = "contains(#1, :run)"
            kwargs["ExpressionAttributeValues"][":run"] = {"S": contains}
        yield from self._query(**kwargs)

    def camera(self, camera_id: str, start_ms: int, end_ms: int) -> Iterator[Sighting]:
        lo, hi = _range(start_ms, end_ms)
        for day_key in keys.camera_hours(camera_id, start_ms, end_ms):
            yield from self._query(
                IndexName="byCamera",
                KeyConditionExpression="camera_pk = :k AND ts_sk BETWEEN :lo AND :hi",
                ExpressionAttributeValues={":k": {"S": day_key}, ":lo": {"S": lo}, ":hi": {"S": hi}},
            )

    def plate(self, plate: str, start_ms: int, end_ms: int) -> Iterator[Sighting]:
        lo, hi = _range(start_ms, end_ms)
        yield from self._query(
            IndexName="byPlate",
            KeyConditionExpression="plate_pk = :k AND ts_sk BETWEEN :lo AND :hi",
            ExpressionAttributeValues={
                ":k": {"S": keys.plate_key(plate)},
                ":lo": {"S": lo},
                ":hi": {"S": hi},
            },
        )

    def _query(self, **kwargs) -> Iterator[Sighting]:
        try:
            pages = self._client.get_paginator("query").paginate(
                TableName=self._table,
                ProjectionExpression=self._projection,
                ExpressionAttributeNames=self._names,
                **kwargs,
            )
            for page in pages:
                for item in page["Items"]:
                    yield _sighting(item)
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"reads table query failed: {exc}") from exc


def _sighting(item: dict) -> Sighting:
    def s(name: str, default: str = "") -> str:
        v = item.get(name)
        return v["S"] if v and "S" in v else default

    def n(name: str, default: float = 0.0) -> float:
        v = item.get(name)
        return float(v["N"]) if v and "N" in v else default

    alts = item.get("alternatives", {}).get("L", [])
    return Sighting.model_construct(
        read_id=s("read_id"),
        plate=s("plate"),
        capture_ms=int(n("capture_ms")),
        camera_id=s("camera_id"),
        zone=s("zone"),
        lat=n("lat"),
        lon=n("lon"),
        confidence=n("confidence", 1.0),
        alternatives=tuple(a["S"] for a in alts if "S" in a),
        snapshot_key=s("snapshot_key"),
        tag="",
    )
