"""S3-in-SQS event bodies → ``SnapshotRef`` (powertools parser models, URL-decoded keys)."""

from __future__ import annotations

import json
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.parser import ValidationError, parse
from aws_lambda_powertools.utilities.parser.models import S3Model
from aws_lambda_powertools.utilities.parser.models.s3 import (
    S3Bucket,
    S3Identity,
    S3Message,
    S3OwnerIdentify,
    S3RecordModel,
    S3RequestParameters,
    S3ResponseElements,
)

from anpr.reads.models import SnapshotRef


# The powertools models, with the fields the ingest path never reads made optional:
# identity and request fields are absent from some emitters (moto, replayed events), and a
# missing requester must not turn a valid snapshot into a malformed event.
class _Bucket(S3Bucket):
    ownerIdentity: S3OwnerIdentify | None = None


class _Message(S3Message):
    bucket: _Bucket


class _Record(S3RecordModel):
    userIdentity: S3Identity | None = None
    requestParameters: S3RequestParameters | None = None
    responseElements: S3ResponseElements | None = None
    s3: _Message


class SnapshotEvent(S3Model):
    Records: list[_Record]


class MalformedEvent(ValueError):
    """The queue message is not an S3 notification we understand."""


def snapshot_refs(body: str) -> list[SnapshotRef]:
    """The snapshots an SQS message body announces; [] for S3's configuration test event."""
    try:
        data = json.loads(body)
    except (TypeError, json.JSONDecodeError) as exc:
        raise MalformedEvent(f"body is not JSON: {exc}") from None
    if isinstance(data, dict) and data.get("Event") == "s3:TestEvent":
        return []
    try:
        event = parse(event=data, model=SnapshotEvent)
    except ValidationError as exc:
        raise MalformedEvent(f"not an S3 event notification: {exc.error_count()} error(s)") from None
    refs = []
    for record in event.Records:
        obj = record.s3.object
        if obj is None:
            continue
        refs.append(
            SnapshotRef(
                bucket=record.s3.bucket.name,
                key=unquote_plus(obj.key),  # S3 sends keys URL-encoded ('+' for spaces)
                size=int(obj.size) if obj.size is not None else None,
                etag=obj.eTag,
                version_id=obj.versionId,
                uploaded_ms=int(record.eventTime.timestamp() * 1000),
            )
        )
    return refs
