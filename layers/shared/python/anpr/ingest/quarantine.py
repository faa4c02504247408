"""Bad input is kept, with a machine-readable reason, never dropped."""

from __future__ import annotations

import json
from typing import Protocol

import boto3
from botocore.exceptions import ClientError

from anpr.kernel.clock import Clock
from anpr.kernel.db import StorageError
from anpr.reads.models import QuarantineReason, SnapshotRef

#: durable outcomes that are not quarantines (a snapshot with no plate visible)
OUTCOME_PREFIX = "outcomes/"


def reason_key(reason: QuarantineReason, original_key: str) -> str:
    return f"{reason.value}/{original_key}.reason.json"


def outcome_key(original_key: str) -> str:
    return f"{OUTCOME_PREFIX}{original_key}.json"


class QuarantineStore(Protocol):
    def quarantine(
        self, ref: SnapshotRef, reason: QuarantineReason, detail: str, keep_object: bool = True
    ) -> str: ...

    def quarantine_event(self, message_id: str, body: str, detail: str) -> str: ...

    def record_outcome(self, ref: SnapshotRef, outcome: dict) -> str:
        """A durable record of a snapshot that made no read and was not quarantined."""
        ...


def outcome_document(ref: SnapshotRef, outcome: dict, at_ms: int) -> dict:
    return {
        **outcome,
        "bucket": ref.bucket,
        "key": ref.key,
        "version_id": ref.version_id,
        "etag": ref.etag,
        "recorded_ms": at_ms,
    }


def _reason_document(ref: SnapshotRef, reason: QuarantineReason, detail: str, at_ms: int) -> dict:
    return {
        "reason": reason.value,
        "detail": detail,
        "bucket": ref.bucket,
        "key": ref.key,
        "version_id": ref.version_id,
        "etag": ref.etag,
        "size": ref.size,
        "quarantined_ms": at_ms,
    }


class S3QuarantineStore:
    """``{reason}/{original key}`` holds a copy of the object, ``…reason.json`` says why."""

    def __init__(self, bucket: str, clock: Clock, client=None):
        self._bucket, self._clock = bucket, clock
        self._s3 = client or boto3.client("s3")

    def quarantine(
        self, ref: SnapshotRef, reason: QuarantineReason, detail: str, keep_object: bool = True
    ) -> str:
        doc_key = reason_key(reason, ref.key)
        try:
            if keep_object:
                source = {"Bucket": ref.bucket, "Key": ref.key}
                if ref.version_id:
                    source["VersionId"] = ref.version_id
                self._s3.copy_object(
                    Bucket=self._bucket,
                    Key=f"{reason.value}/{ref.key}",
                    CopySource=source,
                    MetadataDirective="COPY",
                )
            self._s3.put_object(
                Bucket=self._bucket,
                Key=doc_key,
                Body=json.dumps(_reason_document(ref, reason, detail, self._clock())).encode(),
                ContentType="application/json",
            )
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            if keep_object and code in ("404", "NoSuchKey", "NoSuchVersion"):
                # the object vanished: the reason document alone still records it
                return self.quarantine(ref, reason, detail + " (object gone)", keep_object=False)
            raise StorageError(f"quarantine write failed: {exc}") from exc
        return doc_key

    def quarantine_event(self, message_id: str, body: str, detail: str) -> str:
        """A queue message that is not an S3 event: kept verbatim with the reason."""
        key = f"{QuarantineReason.MALFORMED_EVENT.value}/{message_id}.json"
        doc = {"reason": QuarantineReason.MALFORMED_EVENT.value, "detail": detail, "body": body}
        try:
            self._s3.put_object(Bucket=self._bucket, Key=key, Body=json.dumps(doc).encode())
        except ClientError as exc:
            raise StorageError(f"quarantine write failed: {exc}") from exc
        return key

    def record_outcome(self, ref: SnapshotRef, outcome: dict) -> str:
        key = outcome_key(ref.key)
        try:
            self._s3.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=json.dumps(outcome_document(ref, outcome, self._clock())).encode(),
                ContentType="application/json",
            )
        except ClientError as exc:
            raise StorageError(f"outcome write failed: {exc}") from exc
        return key
