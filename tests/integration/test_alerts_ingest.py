"""Watchlist alerts on moto, through the real ingest handler: S3 → SQS → ingest → reads stored
→ match → Alerts table → SNS topic → per-zone SQS queues (filter policies from the spec)."""

import json

import boto3
import pytest
from anpr.alerts.feed import drain_queue
from anpr.alerts.models import Category, Priority, WatchlistEntry, from_ms
from anpr.alerts.spec import DISPATCH_QUEUE
from anpr.alerts.watchlist import DynamoWatchlistRepository
from anpr.ingest.snapshots import snapshot_key
from anpr.ingest.wiring import ingest_service
from anpr.kernel.clock import fixed
from anpr.reads.cameras import DynamoCameraRegistry
from anpr.reads.repository import DynamoPlateReadRepository

from local.resources import REGION
from tests.helpers import NOW_MS, FakeLambdaContext, camera, jpeg, metadata, sqs_event
from tests.integration.conftest import load_handler

ZONE, OTHER = "BXL-5339", "BXL-5342"


def now_ms() -> int:
    """The tests' clock: every service here is wired with ``fixed(NOW_MS)``."""
    return NOW_MS


@pytest.fixture
def ingest(aws, function_env, monkeypatch):
    DynamoCameraRegistry(aws.name("table", "Cameras"), REGION).put_many(
        [
            camera("BXL-A", name="Boulevard Anspach", zone=ZONE),
            camera("BXL-B", name="Avenue Louise", zone=OTHER),
        ]
    )
    function_env("Ingest")
    monkeypatch.setenv("ANPR_OCR_ENGINE", "camera")  # the camera's own read: a controlled plate
    handler = load_handler("ingest")
    handler.services.use(ingest_service(clock=fixed(NOW_MS)))
    yield handler


def list_plate(
    aws, plate: str, *, zones=("national",), priority=Priority.HIGH, expires_in_ms=86_400_000, eid=None
):
    repo = DynamoWatchlistRepository(aws.name("table", "Watchlist"), REGION)
    repo.create(
        WatchlistEntry(
            entry_id=eid or f"e-{plate}",
            plate=plate,
            category=Category.STOLEN_VEHICLE,
            priority=priority,
            reason="stolen in Ixelles",
            owning_unit="PZ 5342",
            handling_instructions="request backup",
            valid_from=from_ms(now_ms() - 86_400_000),
            expires=from_ms(now_ms() + expires_in_ms),
            zones=list(zones),
        )
    )
    repo.bump_version(now_ms())


def snapshot_bodies(aws, *sightings) -> list[str]:
    """Upload one snapshot per (camera, plate, capture_ms); the S3 notifications' bodies."""
    s3 = boto3.client("s3", region_name=REGION)
    for cam, plate, capture_ms in sightings:
        s3.put_object(
            Bucket=aws.name("bucket", "Snapshots"),
            Key=snapshot_key(cam, capture_ms),
            Body=jpeg(),
            Metadata=metadata(cam, capture_ms=capture_ms, plate=plate),
        )
    return [b for b in drain(aws, "Ingest") if "TestEvent" not in b]


def drain(aws, qid: str) -> list[str]:
    sqs = boto3.client("sqs", region_name=REGION)
    out = []
    while True:
        msgs = sqs.receive_message(
            QueueUrl=aws.queue_urls[qid], MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not msgs:
            return out
        for m in msgs:
            sqs.delete_message(QueueUrl=aws.queue_urls[qid], ReceiptHandle=m["ReceiptHandle"])
            out.append(m["Body"])


def deliveries(aws) -> dict[str, list[dict]]:
    sqs = boto3.client("sqs", region_name=REGION)
    return {DISPATCH_QUEUE: drain_queue(sqs, aws.queue_urls[DISPATCH_QUEUE])}


def alerts_in_table(aws, kind: str = "A#") -> list[dict]:
    """The alerts (``A#``) or late hits (``L#``) in the Alerts table."""
    ddb = boto3.client("dynamodb", region_name=REGION)
    items = ddb.scan(TableName=aws.name("table", "Alerts"))["Items"]
    return [json.loads(i["doc"]["S"]) for i in items if i["pk"]["S"].startswith(kind)]


def test_listed_plate_sighted_three_times_yields_one_alert_in_its_zone_only(aws, ingest):
    # GIVEN a plate listed for zone BXL-5339 only
    list_plate(aws, "1ABC234", zones=(ZONE,))
    t = now_ms() - 5 * 60_000
    # WHEN three cameras of that zone read it within the dedupe window (two batches)
    first = snapshot_bodies(aws, ("BXL-A", "1ABC234", t))
    more = snapshot_bodies(aws, ("BXL-A", "1-ABC-234", t + 60_000), ("BXL-A", "1ABC234", t + 120_000))
    assert ingest.lambda_handler(sqs_event(first), FakeLambdaContext()) == {"batchItemFailures": []}
    assert ingest.lambda_handler(sqs_event(more), FakeLambdaContext()) == {"batchItemFailures": []}
    # THEN one alert holds the three sightings
    [alert] = alerts_in_table(aws)
    assert alert["sighting_count"] == 3 and alert["published_ms"]
    # AND it was published once, naming that zone and no other (no queue per zone: zones are data)
    [msg] = deliveries(aws)[DISPATCH_QUEUE]
    assert msg["zone"] == ZONE and msg["national"] is False
    assert msg["plate"] == "1ABC234" and msg["camera"]["name"] == "Boulevard Anspach"
    assert msg["match_kind"] == "exact" and msg["reason"] == "stolen in Ixelles"
    # the camera's own read (engine "camera"), no image evidence from our OCR: never high by itself
    assert msg["priority"] == "medium" and msg["unverified"] is True
    assert "X-Amz-Signature" in msg["crop_url"] and "X-Amz-Signature" in msg["snapshot_url"]


def test_national_entry_reaches_every_zone(aws, ingest):
    list_plate(aws, "2XYZ999")
    ingest.lambda_handler(
        sqs_event(snapshot_bodies(aws, ("BXL-B", "2XYZ999", now_ms() - 1000))), FakeLambdaContext()
    )
    # THEN one message, marked national (every zone's feed shows it), seen in OTHER
    [msg] = deliveries(aws)[DISPATCH_QUEUE]
    assert msg["national"] is True and msg["zone"] == OTHER


def test_misread_8_for_b_raises_possible_misread_at_lower_priority(aws, ingest):
    list_plate(aws, "1ABC234")
    ingest.lambda_handler(
        sqs_event(snapshot_bodies(aws, ("BXL-A", "1A8C234", now_ms() - 1000))), FakeLambdaContext()
    )
    [msg] = deliveries(aws)[DISPATCH_QUEUE]
    assert msg["match_kind"] == "possible_misread" and msg["priority"] == "medium"
    assert msg["plate"] == "1A8C234" and msg["entry_plate"] == "1ABC234"


def test_expired_entry_raises_nothing(aws, ingest):
    list_plate(aws, "1ABC234", expires_in_ms=-60_000)
    bodies = snapshot_bodies(aws, ("BXL-A", "1ABC234", now_ms() - 1000))
    assert ingest.lambda_handler(sqs_event(bodies), FakeLambdaContext()) == {"batchItemFailures": []}
    assert alerts_in_table(aws) == []
    assert all(not m for m in deliveries(aws).values())


def test_sns_failure_mid_batch_stores_reads_and_publishes_once_on_retry(aws, ingest, monkeypatch):
    # GIVEN two listed plates seen in one batch, and a topic failing on the second publish
    list_plate(aws, "1ABC234")
    list_plate(aws, "2XYZ999")
    t = now_ms() - 2000
    bodies = snapshot_bodies(aws, ("BXL-A", "1ABC234", t), ("BXL-A", "2XYZ999", t + 100))

    publisher = ingest.services().ingestor.after_store.publisher
    real, calls = publisher._sns.publish, []

    def flaky(**kw):
        calls.append(kw)
        if len(calls) == 2:
            from botocore.exceptions import ClientError

            raise ClientError({"Error": {"Code": "Throttling", "Message": "slow down"}}, "Publish")
        return real(**kw)

    monkeypatch.setattr(publisher._sns, "publish", flaky)
    # WHEN the batch is processed THEN only the second record fails
    event = sqs_event(bodies)
    result = ingest.lambda_handler(event, FakeLambdaContext())
    failed = [f["itemIdentifier"] for f in result["batchItemFailures"]]
    assert failed == [event["Records"][1]["messageId"]]
    # AND both reads are stored, one alert is published, the other stored unpublished
    reads = DynamoPlateReadRepository(aws.name("table", "Reads"), REGION)
    assert len(list(reads.by_plate("1ABC234", 0, now_ms()))) == 1
    assert len(list(reads.by_plate("2XYZ999", 0, now_ms()))) == 1
    assert sorted(bool(a["published_ms"]) for a in alerts_in_table(aws)) == [False, True]
    # WHEN SQS redelivers the failed record (and, for good measure, the whole batch again)
    retry = {"Records": [event["Records"][1]]}
    assert ingest.lambda_handler(retry, FakeLambdaContext()) == {"batchItemFailures": []}
    assert ingest.lambda_handler(event, FakeLambdaContext()) == {"batchItemFailures": []}
    # THEN each alert was delivered exactly once: never lost, never doubled
    got = deliveries(aws)
    assert sorted(m["plate"] for m in got[DISPATCH_QUEUE]) == ["1ABC234", "2XYZ999"]
    assert all(a["published_ms"] and a["sighting_count"] == 1 for a in alerts_in_table(aws))


def test_without_alerts_env_the_ingest_path_has_no_hook():
    from anpr.alerts.wiring import watchlist_hook

    assert watchlist_hook({"ANPR_TABLE_WATCHLIST": "w"}) is None


def test_a_late_capture_raises_no_live_alert(aws, ingest, monkeypatch):
    # GIVEN a deployed stage's freshness rule (15 min; the local stage replays two hours) ...
    monkeypatch.setenv("ANPR_ALERT_MAX_AGE_MINUTES", "15")
    ingest.services.use(ingest_service(clock=fixed(NOW_MS)))
    # ... and a plate listed for two months
    list_plate(aws, "1ABC234", zones=(ZONE,), eid="e-old")
    repo = DynamoWatchlistRepository(aws.name("table", "Watchlist"), REGION)
    entry = repo.get("e-old")
    repo.replace(
        entry.model_copy(update={"valid_from": from_ms(now_ms() - 60 * 86_400_000)}), entry.updated_ms
    )
    repo.bump_version(now_ms() + 1)
    # WHEN a snapshot captured 40 days ago arrives now (and one 20 minutes old)
    bodies = snapshot_bodies(
        aws, ("BXL-A", "1ABC234", now_ms() - 40 * 86_400_000), ("BXL-A", "1ABC234", now_ms() - 20 * 60_000)
    )
    assert ingest.lambda_handler(sqs_event(bodies), FakeLambdaContext()) == {"batchItemFailures": []}
    # THEN nothing is delivered and no alert exists; both are kept as late hits, never published
    assert all(not m for m in deliveries(aws).values())
    assert alerts_in_table(aws) == []
    hits = alerts_in_table(aws, kind="L#")
    assert len(hits) == 2 and all(a["status"] == "late" and not a["published_ms"] for a in hits)
