"""Reading alert deliveries from the zone queues (patrol client, local demo, tests)."""

from __future__ import annotations

import json


def parse_body(body: str) -> dict:
    """Raw delivery gives the alert JSON; an SNS envelope wraps it in "Message"."""
    data = json.loads(body)
    if "alert_id" not in data and "Message" in data:
        inner = json.loads(data["Message"])
        data = json.loads(inner["default"]) if isinstance(inner, dict) and "default" in inner else inner
    return data


def drain_queue(sqs, queue_url: str, wait_s: int = 0, max_messages: int = 10_000) -> list[dict]:
    """Every alert message waiting on ``queue_url`` (received and deleted), oldest first-ish.

    Each dict is the alert message plus ``_received_ms`` (SQS ApproximateFirstReceiveTimestamp)
    and ``_sent_to_queue_ms`` (SentTimestamp): upload→alert latency = ``_sent_to_queue_ms`` −
    the upload time (or ``capture_ms``/``ingested_ms`` carried by the message).
    """
    out: list[dict] = []
    while len(out) < max_messages:
        msgs = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=wait_s,
            AttributeNames=["SentTimestamp", "ApproximateFirstReceiveTimestamp"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not msgs:
            break
        for m in msgs:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
            alert = parse_body(m["Body"])
            attrs = m.get("Attributes", {})
            alert["_sent_to_queue_ms"] = int(attrs.get("SentTimestamp", 0))
            alert["_received_ms"] = int(attrs.get("ApproximateFirstReceiveTimestamp", 0))
            out.append(alert)
    return out
