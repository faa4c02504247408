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
