"""When each camera last sent, and in which local hours of recent weeks (the silence watch's input).

One item per camera in ``CameraActivity``: ``network``, ``last_seen_ms`` and, per week
(``w{epoch week}``), the number set of local hours of the week it sent in. Ingest records a
capture (``ActivityRecorder.record``, one line in its service); a container writes a camera at
most once per ``every_ms`` (10 minutes): ~2,300 cameras × 144 slots a day, not one write per
snapshot. Old weeks are removed by the same update.
"""

from __future__ import annotations

from collections.abc import Iterable

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from anpr.kernel.db import StorageError
from anpr.networks.silence import HOURS_PER_WEEK, CameraActivity, hour_of_week

WEEK_MS = 7 * 24 * 3_600_000
KEEP_WEEKS = 5


def week_of(ms: int) -> int:
    return ms // WEEK_MS


def profile(item: dict, now_ms: int, weeks: int) -> CameraActivity:
    """A stored item → the activity profile over the ``weeks`` weeks up to now."""
    active = [0] * HOURS_PER_WEEK
    current = week_of(now_ms)
    for w in range(current - weeks + 1, current + 1):
        for how in item.get(f"w{w}", ()):
            active[int(how) % HOURS_PER_WEEK] += 1
    last = item.get("last_seen_ms")
    return CameraActivity(
        camera_id=item["camera_id"],
        network=item.get("network", ""),
        last_seen_ms=int(last) if last is not None else None,
        weeks_active=tuple(active),
        weeks=weeks,
    )


class DynamoActivityStore:
    def __init__(self, table_name: str, region: str, every_ms: int = 600_000, client=None):
        self._table = table_name
        self._ddb = client or boto3.client("dynamodb", region_name=region)
        self._every_ms = every_ms
        self._written: dict[str, int] = {}  # camera → slot last written by this container

    def record(self, camera_id: str, network: str, capture_ms: int) -> None:
        slot = capture_ms // self._every_ms
        if self._written.get(camera_id, -1) >= slot:
            return
        week = week_of(capture_ms)
        old = ", ".join(f"w{w}" for w in range(week - KEEP_WEEKS - 3, week - KEEP_WEEKS + 1))
        try:
            self._ddb.update_item(
                TableName=self._table,
                Key={"camera_id": {"S": camera_id}},
                UpdateExpression=f"SET network = :n, last_seen_ms = :t ADD w{week} :h REMOVE {old}",
                ConditionExpression="attribute_not_exists(last_seen_ms) OR last_seen_ms < :t",
                ExpressionAttributeValues={
                    ":n": {"S": network},
                    ":t": {"N": str(capture_ms)},
                    ":h": {"NS": [str(hour_of_week(capture_ms))]},
                },
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise StorageError(f"camera activity write failed: {exc}") from exc
            # a late capture: its hour still counts
            self._ddb.update_item(
                TableName=self._table,
                Key={"camera_id": {"S": camera_id}},
                UpdateExpression=f"ADD w{week} :h",
                ExpressionAttributeValues={":h": {"NS": [str(hour_of_week(capture_ms))]}},
            )
        except BotoCoreError as exc:
            raise StorageError(f"camera activity write failed: {exc}") from exc
        self._written[camera_id] = slot

    def profiles(self, now_ms: int, weeks: int = 4) -> Iterable[CameraActivity]:
        try:
            for page in self._ddb.get_paginator("scan").paginate(TableName=self._table):
                for raw in page["Items"]:
                    yield profile(_plain(raw), now_ms, weeks)
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"camera activity scan failed: {exc}") from exc


def _plain(raw: dict) -> dict:
    out: dict = {}
    for k, v in raw.items():
        if "S" in v:
            out[k] = v["S"]
        elif "N" in v:
            out[k] = int(v["N"])
        elif "NS" in v:
            out[k] = [int(x) for x in v["NS"]]
    return out
