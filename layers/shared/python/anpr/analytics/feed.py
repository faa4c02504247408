"""The reads table's stream → the analytics copy.

A DynamoDB stream record (``INSERT``, new image) becomes one flat row of the Parquet columns
(``anpr.analytics.models.COLUMNS``). On AWS the rows go to Firehose as JSON lines (Firehose
converts them to Parquet with the Glue table's schema and partitions them by day/hour from
``capture_ms``); locally they go straight to :class:`~anpr.analytics.writer.AnalyticsWriter`.
Updates (a legal hold) and TTL deletions are not copied: the copy is append-only and has its
own retention (S3 lifecycle + the sweep).
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import Protocol

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import BotoCoreError, ClientError

from anpr.analytics.models import COLUMNS
from anpr.kernel.db import StorageError

_DESERIALIZE = TypeDeserializer().deserialize
_INTS = {c for c, (t, _) in COLUMNS.items() if t.startswith("int")}
_FLOATS = {c for c, (t, _) in COLUMNS.items() if t == "float64"}

log = logging.getLogger(__name__)


def row_from_image(image: dict) -> dict:
    """A stream record's ``NewImage`` (DynamoDB JSON) → the analytics row (keys dropped)."""
    item = {k: _DESERIALIZE(v) for k, v in image.items() if k in COLUMNS}
    out = {}
    for c in COLUMNS:
        v = item.get(c)
        if isinstance(v, Decimal):
            v = int(v) if c in _INTS else float(v)
        elif c in _FLOATS and v is not None:
            v = float(v)
        out[c] = v
    out["alternatives"] = list(out["alternatives"] or [])
    return out


def rows_from_stream(event: dict) -> list[dict]:
    return [
        row_from_image(r["dynamodb"]["NewImage"])
        for r in event.get("Records", [])
        if r.get("eventName") == "INSERT" and "NewImage" in r.get("dynamodb", {})
    ]


class RowSink(Protocol):
    def put(self, rows: list[dict]) -> None: ...


class FirehoseSink:
    """PutRecordBatch (≤ 500 records), failed records retried; still failing → StorageError
    (the stream retries the batch: the copy is at-least-once, and duplicates are harmless)."""

    def __init__(self, stream_name: str, client, attempts: int = 3):
        self.stream_name, self._firehose, self.attempts = stream_name, client, attempts

    def put(self, rows: list[dict]) -> None:
        for i in range(0, len(rows), 500):
            records = [
                {"Data": (json.dumps(r, separators=(",", ":")) + "\n").encode()} for r in rows[i : i + 500]
            ]
            for _ in range(self.attempts):
                try:
                    out = self._firehose.put_record_batch(
                        DeliveryStreamName=self.stream_name, Records=records
                    )
                except (ClientError, BotoCoreError) as exc:
                    raise StorageError(f"firehose put failed: {exc}") from exc
                if not out.get("FailedPutCount"):
                    break
                records = [
                    rec
                    for rec, res in zip(records, out["RequestResponses"], strict=True)
                    if "ErrorCode" in res
                ]
            else:
                raise StorageError(f"firehose refused {len(records)} records")


class WriterSink:
    """Straight into the Parquet layout (local runtime, tests)."""

    def __init__(self, writer):
        self.writer = writer

    def put(self, rows: list[dict]) -> None:
        self.writer.write_rows(rows)


class AnalyticsFeed:
    def __init__(self, sink: RowSink):
        self.sink = sink

    def handle(self, event: dict) -> dict:
        """One batch of the stream. A sink failure reports the batch's first record as failed
        (``ReportBatchItemFailures``): the stream retries from there, then dead-letters."""
        rows = rows_from_stream(event)
        if rows:
            try:
                self.sink.put(rows)
            except StorageError as exc:
                first = (event.get("Records") or [{}])[0].get("dynamodb", {}).get("SequenceNumber", "")
                log.warning("analytics copy not written; the stream retries", extra={"error": str(exc)})
                return {"rows": 0, "batchItemFailures": [{"itemIdentifier": first}]}
        return {"rows": len(rows), "batchItemFailures": []}
