"""The ingest Lambda on moto: S3 → SQS notification → handler → DynamoDB / quarantine."""

import json
import time

import boto3
import pytest
from anpr.ingest.snapshots import snapshot_key
from anpr.reads.repository import DynamoPlateReadRepository

from local.resources import REGION
from tests.helpers import FakeLambdaContext, jpeg, metadata, sqs_event
from tests.integration.conftest import load_handler


@pytest.fixture
def ingest(aws, function_env, cameras):
    function_env("Ingest")
    handler = load_handler("ingest")
    yield handler


def now_ms():
    return int(time.time() * 1000)


def upload(aws, body, meta, cam="BRU-001"):
    key = snapshot_key(cam, now_ms() - 500)
    boto3.client("s3", region_name=REGION).put_object(
        Bucket=aws.name("bucket", "Snapshots"), Key=key, Body=body, Metadata=meta
    )
    return key


def drain(aws) -> list[str]:
    sqs = boto3.client("sqs", region_name=REGION)
    bodies = []
    while True:
        msgs = sqs.receive_message(QueueUrl=aws.queue_urls["Ingest"], MaxNumberOfMessages=10).get(
            "Messages", []
        )
        if not msgs:
            return bodies
        for m in msgs:
            sqs.delete_message(QueueUrl=aws.queue_urls["Ingest"], ReceiptHandle=m["ReceiptHandle"])
            bodies.append(m["Body"])


def quarantine_reasons(aws) -> list[str]:
    s3 = boto3.client("s3", region_name=REGION)
    objs = s3.list_objects_v2(Bucket=aws.name("bucket", "Quarantine")).get("Contents", [])
    return sorted(o["Key"].split("/")[0] for o in objs if o["Key"].endswith(".json"))


def reads(aws):
    # by camera, not by plate: these tests are about batch semantics, not about what the OCR reads
    # on a hand-drawn test image
    repo = DynamoPlateReadRepository(aws.name("table", "Reads"), REGION)
    return list(repo.by_camera("BRU-001", now_ms() - 60_000, now_ms() + 10_000))


def test_batch_with_every_kind_of_bad_input_stores_the_good_ones(aws, ingest):
    # GIVEN a batch mixing good snapshots with each kind of bad input
    upload(aws, jpeg(), metadata(capture_ms=now_ms() - 500))
    upload(aws, jpeg()[:300], metadata(capture_ms=now_ms() - 500))
    upload(aws, b"hello", metadata(capture_ms=now_ms() - 500))
    upload(aws, jpeg(), metadata("BRU-999", capture_ms=now_ms() - 500), cam="BRU-999")
    upload(aws, jpeg(), metadata("BRU-OLD", capture_ms=now_ms() - 500), cam="BRU-OLD")
    upload(aws, jpeg(), {"camera-id": "BRU-001"})
    upload(aws, jpeg(), metadata(capture_ms=now_ms() + 3_600_000))
    upload(aws, jpeg(), metadata(capture_ms=now_ms() - 400 * 86_400_000))
    upload(aws, jpeg(), {**metadata(capture_ms=now_ms() - 500), "heading": "400"})
    upload(aws, b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024), metadata(capture_ms=now_ms() - 500))
    bodies = drain(aws)
    bodies = [b for b in bodies if "TestEvent" not in b] + ['{"not": "an s3 event"}']
    assert len(bodies) == 11
    # WHEN the ingest function processes the batch
    result = ingest.lambda_handler(sqs_event(bodies), FakeLambdaContext())
    # THEN nothing failed, the good snapshot is a read, and every bad one is quarantined by reason
    assert result == {"batchItemFailures": []}
    assert len(reads(aws)) == 1
    assert quarantine_reasons(aws) == sorted(
        [
            "corrupt_image",
            "not_an_image",
            "unknown_camera",
            "retired_camera",
            "missing_metadata",
            "future_capture",
            "expired_capture",
            "invalid_metadata",
            "malformed_event",
            "too_large",
        ]
    )


def test_s3_test_event_is_ignored(aws, ingest):
    body = json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "b"})
    assert ingest.lambda_handler(sqs_event([body]), FakeLambdaContext()) == {"batchItemFailures": []}
    assert quarantine_reasons(aws) == []


def test_duplicate_delivery_yields_one_read_and_a_duplicate_record(aws, ingest):
    # GIVEN a snapshot whose notification is delivered twice
    upload(aws, jpeg(), metadata(capture_ms=now_ms() - 500))
    bodies = [b for b in drain(aws) if "TestEvent" not in b]
    # WHEN both deliveries are processed (separate invocations)
    ingest.lambda_handler(sqs_event(bodies), FakeLambdaContext())
    ingest.lambda_handler(sqs_event(bodies), FakeLambdaContext())
    # THEN there is one read, and the duplicate is recorded with its reason
    assert len(reads(aws)) == 1
    assert quarantine_reasons(aws) == ["duplicate_event"]


def test_infrastructure_failure_fails_only_that_record(aws, ingest, monkeypatch):
    # GIVEN two good snapshots, and a reads table that fails for the second write
    upload(aws, jpeg(), metadata(capture_ms=now_ms() - 500))
    upload(aws, jpeg(), metadata(capture_ms=now_ms() - 400))
    bodies = [b for b in drain(aws) if "TestEvent" not in b]
    from anpr.kernel.db import StorageError

    repo = ingest.services().ingestor.reads
    real_put, calls = repo.put_many, []

    def flaky(reads_):
        calls.append(1)
        if len(calls) == 2:
            raise StorageError("throttled")
        return real_put(reads_)

    monkeypatch.setattr(repo, "put_many", flaky)
    event = sqs_event(bodies)
    # WHEN the batch is processed
    result = ingest.lambda_handler(event, FakeLambdaContext())
    # THEN only the failed record is reported (for retry / DLQ), the other is stored, nothing quarantined
    assert result == {"batchItemFailures": [{"itemIdentifier": event["Records"][1]["messageId"]}]}
    assert len(reads(aws)) == 1 and quarantine_reasons(aws) == []
    # AND the retry succeeds (idempotency record was released on failure)
    monkeypatch.setattr(repo, "put_many", real_put)
    assert ingest.lambda_handler(sqs_event([bodies[1]]), FakeLambdaContext()) == {"batchItemFailures": []}
    assert len(reads(aws)) == 2


def _plain(fmt: str) -> bytes:
    """A uniform grey picture: no plate on it for any reader."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 90, 100)).save(buf, format=fmt)
    return buf.getvalue()


def test_unsupported_format_foreign_bucket_and_no_plate_each_leave_a_record(aws, ingest):
    # GIVEN a TIFF snapshot, a snapshot with no plate, and a message naming another bucket
    upload(aws, _plain("TIFF"), metadata(capture_ms=now_ms() - 500))
    no_plate_key = upload(aws, _plain("JPEG"), metadata(capture_ms=now_ms() - 500, plate=None))
    bodies = [b for b in drain(aws) if "TestEvent" not in b]
    foreign = bodies[0].replace(aws.name("bucket", "Snapshots"), aws.name("bucket", "Quarantine"))
    # WHEN the ingest function processes them
    result = ingest.lambda_handler(sqs_event([*bodies, foreign]), FakeLambdaContext())
    # THEN each is recorded durably: quarantined by reason, or an outcome record for "no plate"
    assert result == {"batchItemFailures": []}
    assert quarantine_reasons(aws) == ["foreign_object", "outcomes", "unsupported_format"]
    s3 = boto3.client("s3", region_name=REGION)
    doc = json.loads(
        s3.get_object(Bucket=aws.name("bucket", "Quarantine"), Key=f"outcomes/{no_plate_key}.json")[
            "Body"
        ].read()
    )
    assert doc["outcome"] == "no_plate" and doc["key"] == no_plate_key
    assert reads(aws) == []


def test_reuploading_the_same_key_as_a_new_version_makes_no_second_read(aws, ingest):
    # GIVEN a snapshot ingested once (versioned bucket)
    s3 = boto3.client("s3", region_name=REGION)
    bucket = aws.name("bucket", "Snapshots")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    key = upload(aws, jpeg(), metadata(capture_ms=now_ms() - 500))
    ingest.lambda_handler(sqs_event([b for b in drain(aws) if "TestEvent" not in b]), FakeLambdaContext())
    # WHEN the same key is uploaded again (a new S3 version) and its notification processed
    s3.put_object(
        Bucket=bucket, Key=key, Body=jpeg(text="9-XYZ-999"), Metadata=metadata(capture_ms=now_ms() - 400)
    )
    bodies = [b for b in drain(aws) if "TestEvent" not in b]
    assert bodies  # moto announces the new etag (no versionId): the old key (etag) differed
    ingest.lambda_handler(sqs_event(bodies), FakeLambdaContext())
    # THEN there is still one read, and the second upload is recorded as a duplicate
    assert len(reads(aws)) == 1
    assert quarantine_reasons(aws) == ["duplicate_event"]
