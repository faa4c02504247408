"""The audit trail's write-once S3 mirror."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
from botocore.exceptions import ClientError

from anpr.accountability.models import ARCHIVE_PREFIX, AuditRecord
from anpr.kernel.db import StorageError


class S3AuditArchive:
    """One object per record (``audit/{seq:012d}.json``), written once: ``If-None-Match: *``
    here, Object Lock in compliance mode on AWS (the bucket's default retention)."""

    def __init__(self, bucket: str, s3=None, region: str | None = None):
        self.bucket = bucket
        self._s3 = s3 or boto3.client("s3", region_name=region)

    @staticmethod
    def key(seq: int) -> str:
        return f"{ARCHIVE_PREFIX}{seq:012d}.json"

    def put(self, record: AuditRecord) -> None:
        try:
            self._s3.put_object(
                Bucket=self.bucket,
                Key=self.key(record.seq),
                Body=record.model_dump_json().encode(),
                ContentType="application/json",
                IfNoneMatch="*",
                # Object Lock buckets refuse uploads without an integrity checksum
                ChecksumAlgorithm="SHA256",
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("PreconditionFailed", "412"):
                raise StorageError(f"audit archive object {record.seq} already exists (write-once)") from exc
            raise StorageError(f"audit archive write failed: {code}") from exc

    def records(self) -> Iterator[AuditRecord]:
        try:
            pages = self._s3.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=ARCHIVE_PREFIX
            )
            keys = sorted(o["Key"] for page in pages for o in page.get("Contents", []))
            for key in keys:
                body = self._s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
                yield AuditRecord.model_validate_json(body)
        except ClientError as exc:
            raise StorageError(
                f"audit archive read failed: {exc.response.get('Error', {}).get('Code')}"
            ) from exc
