"""Snapshot objects in S3: key layout, capture metadata, evidence crops."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import boto3
from botocore.exceptions import ClientError

from anpr.kernel.db import StorageError
from anpr.reads.models import SnapshotRef

SNAPSHOT_PREFIX = "snapshots/"
CROP_PREFIX = "crops/"


def snapshot_key(camera_id: str, capture_ms: int, unique: str | None = None) -> str:
    """snapshots/{camera}/{yyyy}/{mm}/{dd}/{hh}/{capture_ms}_{uuid}.jpg (UTC)."""
    t = datetime.fromtimestamp(capture_ms / 1000, tz=UTC)
    return f"{SNAPSHOT_PREFIX}{camera_id}/{t:%Y/%m/%d/%H}/{capture_ms}_{unique or uuid.uuid4().hex}.jpg"


def crop_key(snapshot_key_: str, index: int) -> str:
    """The plate crop lives next to its snapshot, under crops/ (outside the ingest trigger)."""
    rest = snapshot_key_.removeprefix(SNAPSHOT_PREFIX).rsplit(".", 1)[0]
    return f"{CROP_PREFIX}{rest}_plate{index}.jpg"


def camera_crop_key(snapshot_key_: str) -> str:
    """The crop a reading camera sent with its read (kept as sent, beside ours)."""
    rest = snapshot_key_.removeprefix(SNAPSHOT_PREFIX).rsplit(".", 1)[0]
    return f"{CROP_PREFIX}{rest}_camera.jpg"


class ObjectMissing(Exception):
    pass


@dataclass(frozen=True)
class SnapshotHead:
    size: int
    metadata: dict[str, str]
    etag: str | None
    version_id: str | None


class SnapshotStore(Protocol):
    def head(self, ref: SnapshotRef) -> SnapshotHead: ...

    def get(self, ref: SnapshotRef) -> bytes: ...

    def put_crop(self, bucket: str, key: str, body: bytes, metadata: dict[str, str]) -> None: ...


class S3SnapshotStore:
    def __init__(self, client=None):
        self._s3 = client or boto3.client("s3")

    def head(self, ref: SnapshotRef) -> SnapshotHead:
        try:
            kwargs = {"VersionId": ref.version_id} if ref.version_id else {}
            r = self._s3.head_object(Bucket=ref.bucket, Key=ref.key, **kwargs)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NoSuchVersion"):
                raise ObjectMissing(ref.key) from exc
            raise StorageError(f"head_object failed: {exc}") from exc
        return SnapshotHead(
            size=r["ContentLength"],
            metadata={k.lower(): v for k, v in r.get("Metadata", {}).items()},
            etag=r.get("ETag", "").strip('"') or None,
            version_id=r.get("VersionId"),
        )

    def get(self, ref: SnapshotRef) -> bytes:
        try:
            kwargs = {"VersionId": ref.version_id} if ref.version_id else {}
            return self._s3.get_object(Bucket=ref.bucket, Key=ref.key, **kwargs)["Body"].read()
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NoSuchVersion"):
                raise ObjectMissing(ref.key) from exc
            raise StorageError(f"get_object failed: {exc}") from exc

    def put_crop(self, bucket: str, key: str, body: bytes, metadata: dict[str, str]) -> None:
        try:
            self._s3.put_object(
                Bucket=bucket, Key=key, Body=body, ContentType="image/jpeg", Metadata=metadata
            )
        except ClientError as exc:
            raise StorageError(f"put crop failed: {exc}") from exc
