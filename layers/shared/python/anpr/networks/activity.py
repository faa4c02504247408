"""When each camera last sent, and in which local hours of recent weeks (the silence watch's input).

One item per camera in ``CameraActivity``: ``network``, ``last_seen_ms`` and, per week
(``w{epoch week}``), the number set of local hours of the week it sent in. Ingest records a
capture (``ActivityRecorder.record``, one line in its service); a container writes a camera at
most once per ``every_ms`` (10 minutes): ~2,300 cameras × 144 slots a day, not one write per
snapshot. Old weeks are removed by the same update.

The same item keeps the camera's upload→read latency of the last hour or two as a histogram
(``lh{slot}``: the hour, ``lc{slot}_{bucket}``: counts; anpr.networks.latency). A container
collects its latencies in memory and adds them at most once per camera per ``every_ms`` of read
time (the first at once): the health route lags by at most those 10 minutes, and latencies a
container had not yet written when it stopped are lost (it is an ops figure, not evidence).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from anpr.ingest.hooks import UploadLatency
from anpr.kernel.db import StorageError
from anpr.networks import latency
from anpr.networks.silence import HOURS_PER_WEEK, CameraActivity, hour_of_week

log = logging.getLogger(__name__)

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
        latency=latency.recent(item, now_ms),
    )


class DynamoActivityStore:
    def __init__(self, table_name: str, region: str, every_ms: int = 600_000, client=None):
        self._table = table_name
        self._ddb = client or boto3.client("dynamodb", region_name=region)
        self._every_ms = every_ms
        self._written: dict[str, int] = {}  # camera → slot last written by this container
        # camera → {hour: {bucket: count}} not yet written, and the read-time slot last written
        self._pending: dict[str, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
        self._latency_written: dict[str, int] = {}

    def record(
        self, camera_id: str, network: str, capture_ms: int, upload: UploadLatency | None = None
    ) -> None:
        """A valid snapshot of the camera; with its upload→read latency where the upload time
        is known."""
        if upload is not None:
            self._note_latency(camera_id, upload.upload_to_read_ms, upload.read_ms)
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

    def _note_latency(self, camera_id: str, upload_to_read_ms: float, read_ms: int) -> None:
        hour, bucket = latency.hour_of(read_ms), latency.bucket_of(max(0.0, upload_to_read_ms))
        counts = self._pending[camera_id][hour]
        counts[bucket] = counts.get(bucket, 0) + 1
        slot = read_ms // self._every_ms
        if self._latency_written.get(camera_id, -1) >= slot:
            return
        for h, by_bucket in sorted(self._pending.pop(camera_id).items()):
            self._add_latency(camera_id, h, by_bucket)
        self._latency_written[camera_id] = slot

    def _add_latency(self, camera_id: str, hour: int, counts: dict[int, int]) -> None:
        """Add to the hour's slot; a slot still holding an older hour is started afresh (once,
        by whichever container gets there first); counts of an hour already replaced are
        dropped. A failed write is logged, never a failed ingest: this is an ops figure."""
        p = hour % latency.SLOTS
        values = {f":c{i}": {"N": str(n)} for i, n in counts.items()}
        values[":h"] = {"N": str(hour)}
        key = {"camera_id": {"S": camera_id}}
        adds = "ADD " + ", ".join(f"lc{p}_{i} :c{i}" for i in counts)
        others = [f"lc{p}_{i}" for i in range(latency.BUCKETS) if i not in counts]
        fresh = "SET " + ", ".join([f"lh{p} = :h", *(f"lc{p}_{i} = :c{i}" for i in counts)])
        fresh += (" REMOVE " + ", ".join(others)) if others else ""
        attempts = (
            (adds, f"lh{p} = :h"),
            (fresh, f"attribute_not_exists(lh{p}) OR lh{p} < :h"),
            (adds, f"lh{p} = :h"),  # another container started the hour between our two tries
        )
        try:
            for expression, condition in attempts:
                try:
                    self._ddb.update_item(
                        TableName=self._table,
                        Key=key,
                        UpdateExpression=expression,
                        ConditionExpression=condition,
                        ExpressionAttributeValues=values,
                    )
                    return
                except ClientError as exc:
                    if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                        raise
        except (ClientError, BotoCoreError) as exc:
            log.warning("camera latency not written", extra={"camera_id": camera_id, "error": str(exc)})

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
