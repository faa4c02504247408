"""SQS → Lambda event-source mapping semantics, as AWS runs them.

Batch size and batching window, partial batch failures (``batchItemFailures``: only the
failed records are retried), a function error fails the whole batch, and redrive to the
DLQ after ``maxReceiveCount`` receives (done by the queue itself, as on AWS).
Deviation, on purpose: a failed record becomes visible again after ``retry_delay_s``
instead of the queue's full visibility timeout, so local retries take seconds. A batch whose
worker died (``kill -9``) is retried after ``crash_retry_delay_s`` (the function's timeout): its
idempotency records stay "in progress" until then, as on AWS, where the visibility timeout
exceeds the function timeout.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

from anpr.kernel.platform import QueueSource

log = logging.getLogger("local.esm")


def lambda_record(message: dict, queue_arn: str, region: str) -> dict:
    attrs = message.get("Attributes", {})
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {
            "ApproximateReceiveCount": attrs.get("ApproximateReceiveCount", "1"),
            "SentTimestamp": attrs.get("SentTimestamp", str(int(time.time() * 1000))),
            "SenderId": attrs.get("SenderId", "AIDAIENQZJOLO23YVJ4VO"),
            "ApproximateFirstReceiveTimestamp": attrs.get(
                "ApproximateFirstReceiveTimestamp", str(int(time.time() * 1000))
            ),
        },
        "messageAttributes": {
            k: {
                "stringValue": v.get("StringValue"),
                "binaryValue": v.get("BinaryValue"),
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": v.get("DataType", "String"),
            }
            for k, v in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


class QueuePoller(threading.Thread):
    def __init__(
        self,
        *,
        sqs,
        queue_url: str,
        queue_arn: str,
        source: QueueSource,
        submit: Callable[[dict], Future],
        concurrency: int = 2,
        retry_delay_s: float = 2.0,
        region: str = "eu-west-1",
        on_result: Callable[[dict], None] | None = None,
        crash_retry_delay_s: float | None = None,
    ):
        super().__init__(daemon=True, name=f"esm-{source.queue}")
        self.sqs, self.queue_url, self.queue_arn, self.source = sqs, queue_url, queue_arn, source
        self.submit, self.retry_delay_s, self.region = submit, retry_delay_s, region
        self.on_result = on_result
        self.crash_retry_delay_s = crash_retry_delay_s or retry_delay_s
        self.crashes = 0
        self._slots = threading.Semaphore(concurrency)
        self._halt = threading.Event()
        self._inflight = 0
        self._lock = threading.Lock()
        self.invocations = 0
        self.records = 0
        self.failed_records = 0
        self.function_errors = 0

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._inflight > 0

    def stop(self) -> None:
        self._halt.set()

    def run(self) -> None:
        while not self._halt.is_set():
            self._slots.acquire()
            try:
                batch = self._collect()
            except Exception:  # the local server going away at shutdown
                self._slots.release()
                if self._halt.is_set():
                    return
                log.exception("receive failed")
                time.sleep(0.5)
                continue
            if not batch:
                self._slots.release()
                continue
            with self._lock:
                self._inflight += 1
            event = {"Records": [lambda_record(m, self.queue_arn, self.region) for m in batch]}
            try:
                future = self.submit(event)
            except Exception as exc:  # noqa: BLE001 - the host could not start the function
                # the event source survives: the batch stays in the queue and is redelivered
                failed: Future = Future()
                failed.set_exception(exc)
                future = failed
            future.add_done_callback(lambda f, b=batch: self._complete(f, b))

    def _collect(self) -> list[dict]:
        batch: list[dict] = []
        deadline = None
        while len(batch) < self.source.batch_size and not self._halt.is_set():
            wait = 1 if deadline is None else max(0.0, deadline - time.monotonic())
            msgs = self.sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=min(10, self.source.batch_size - len(batch)),
                WaitTimeSeconds=min(1, int(wait)) if deadline is None else 0,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            batch.extend(msgs)
            if not batch:
                return batch
            if deadline is None:
                deadline = time.monotonic() + self.source.batching_window_s
            if time.monotonic() >= deadline:
                break
            if not msgs:
                time.sleep(0.05)
        return batch

    def _complete(self, future: Future, batch: list[dict]) -> None:
        try:
            failed_ids = self._failed_ids(future, batch)
            crashed = not future.cancelled() and isinstance(future.exception(), BrokenProcessPool)
            delay = self.crash_retry_delay_s if crashed else self.retry_delay_s
            self.crashes += int(crashed)
            ok = [m for m in batch if m["MessageId"] not in failed_ids]
            for i in range(0, len(ok), 10):
                self.sqs.delete_message_batch(
                    QueueUrl=self.queue_url,
                    Entries=[
                        {"Id": str(j), "ReceiptHandle": m["ReceiptHandle"]}
                        for j, m in enumerate(ok[i : i + 10])
                    ],
                )
            for m in batch:
                if m["MessageId"] in failed_ids:
                    self.sqs.change_message_visibility(
                        QueueUrl=self.queue_url,
                        ReceiptHandle=m["ReceiptHandle"],
                        VisibilityTimeout=int(delay),
                    )
            self.invocations += 1
            self.records += len(batch)
            self.failed_records += len(failed_ids)
        except Exception:
            if not self._halt.is_set():
                log.exception("completing batch failed")
        finally:
            with self._lock:
                self._inflight -= 1
            self._slots.release()

    def _failed_ids(self, future: Future, batch: list[dict]) -> set[str]:
        try:
            outcome = future.result()
        except Exception as exc:  # noqa: BLE001 - function error: the whole batch is retried
            self.function_errors += 1
            log.warning("function error, batch retried: %s", exc)
            return {m["MessageId"] for m in batch}
        if self.on_result:
            self.on_result(outcome)
        if outcome.get("error"):
            self.function_errors += 1
            log.warning("function error, batch retried: %s", outcome["error"])
            return {m["MessageId"] for m in batch}
        result = outcome.get("result") or {}
        failures = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        if failures and not self.source.report_batch_item_failures:
            return {m["MessageId"] for m in batch}
        return failures


class StreamPoller(threading.Thread):
    """DynamoDB stream → Lambda event-source mapping semantics, as AWS runs them for the
    analytics feed (``infra/constructs/analytics.py``): records in stream order, batches of up to
    ``batch_size`` after ``batching_window_s``, only the ``event_names`` the mapping's filter lets
    through, ``batchItemFailures`` retried from the first failed record (a function error retries
    the whole batch), and after ``max_retries`` the rest of the batch goes to ``dead_letters``
    (the on-failure destination) so the shard moves on. One shard at a time, in order
    (parallelization factor 1)."""

    def __init__(
        self,
        *,
        streams,
        stream_arn: str,
        submit: Callable[[dict], Future],
        batch_size: int = 500,
        batching_window_s: float = 1.0,
        retry_delay_s: float = 2.0,
        max_retries: int = 5,
        event_names: tuple[str, ...] = ("INSERT",),
        on_result: Callable[[dict], None] | None = None,
        region: str = "eu-west-1",
    ):
        super().__init__(daemon=True, name=f"esm-stream-{stream_arn.rsplit('/', 3)[-3]}")
        self.streams, self.stream_arn, self.submit = streams, stream_arn, submit
        self.batch_size, self.batching_window_s = batch_size, batching_window_s
        self.retry_delay_s, self.max_retries = retry_delay_s, max_retries
        self.event_names, self.on_result, self.region = event_names, on_result, region
        self._halt = threading.Event()
        self._iterators: dict[str, str] = {}
        self._buffer: list[dict] = []
        #: the last read returned records (True until the first read: the stream may hold some)
        self._fetched = True
        self.invocations = 0
        self.records = 0
        self.function_errors = 0
        self.dead_letters: list[dict] = []

    @property
    def busy(self) -> bool:
        """Records buffered or being delivered, or the stream not read to its end yet."""
        return self.is_alive() and (bool(self._buffer) or self._fetched)

    def stop(self) -> None:
        self._halt.set()

    def run(self) -> None:
        first_at = None
        while not self._halt.is_set():
            try:
                got = self._fetch()
            except Exception:  # the local server going away at shutdown
                if self._halt.is_set():
                    return
                log.exception("stream read failed")
                time.sleep(0.5)
                continue
            self._buffer += [r for r in got if r.get("eventName") in self.event_names]
            self._fetched = bool(got)
            if not self._buffer:
                first_at = None
                time.sleep(0.2)
                continue
            first_at = first_at or time.monotonic()
            if len(self._buffer) < self.batch_size and time.monotonic() - first_at < self.batching_window_s:
                time.sleep(0.1)
                continue
            batch, self._buffer = self._buffer[: self.batch_size], self._buffer[self.batch_size :]
            self._deliver(batch)
            first_at = time.monotonic() if self._buffer else None

    def _fetch(self) -> list[dict]:
        if not self._iterators:
            shards = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
            for shard in shards:
                self._iterators[shard["ShardId"]] = self.streams.get_shard_iterator(
                    StreamArn=self.stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
        records = []
        for shard, iterator in list(self._iterators.items()):
            out = self.streams.get_records(ShardIterator=iterator, Limit=1000)
            records += out["Records"]
            self._iterators[shard] = out.get("NextShardIterator") or iterator
        for r in records:
            r.setdefault("eventSourceARN", self.stream_arn)
            r["awsRegion"] = self.region
        return records

    def _deliver(self, batch: list[dict]) -> None:
        for attempt in range(self.max_retries + 1):
            if self._halt.is_set():
                return
            failed_from = self._invoke(batch)
            if failed_from is None:
                return
            batch = batch[failed_from:]
            if attempt < self.max_retries:
                time.sleep(self.retry_delay_s)
        log.error(
            "stream batch failed %d times: %d records to the failure destination",
            self.max_retries + 1,
            len(batch),
        )
        self.dead_letters += batch

    def _invoke(self, batch: list[dict]) -> int | None:
        """None when the batch succeeded, else the index of the first record to retry."""
        self.invocations += 1
        self.records += len(batch)
        try:
            outcome = self.submit({"Records": batch}).result()
        except Exception as exc:  # noqa: BLE001 - the host could not run the function
            self.function_errors += 1
            log.warning("stream function error, batch retried: %s", exc)
            return 0
        if self.on_result:
            self.on_result(outcome)
        if outcome.get("error"):
            self.function_errors += 1
            log.warning("stream function error, batch retried: %s", outcome["error"])
            return 0
        failures = [f["itemIdentifier"] for f in (outcome.get("result") or {}).get("batchItemFailures", [])]
        if not failures:
            return None
        seqs = [r["dynamodb"]["SequenceNumber"] for r in batch]
        return min((seqs.index(f) for f in failures if f in seqs), default=0)
