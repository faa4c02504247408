"""The stream feed: DynamoDB new images → analytics rows → Firehose, or straight into the layout."""

from __future__ import annotations

import json

import boto3
import pytest
from anpr.analytics.adapters import DuckDBEngine
from anpr.analytics.feed import AnalyticsFeed, FirehoseSink, WriterSink, rows_from_stream
from anpr.analytics.models import COLUMNS, row
from anpr.analytics.service import AnalyticsSearch
from anpr.analytics.stores import FolderStore
from anpr.analytics.writer import AnalyticsWriter
from anpr.kernel.db import StorageError
from anpr.reads.repository import DynamoPlateReadRepository
from anpr.search import synthetic as syn
from anpr.search.models import parse_query
from moto import mock_aws

from local.resources import REGION, provision
from tests.analytics.helpers import HOUR, plate_read
from tests.fakes.reads import InMemoryCameraRegistry
from tests.helpers import NOW_MS

CAMS = syn.cameras_on_a_line(2)


def _stream_event(session, table: str) -> dict:
    """What the reads table's stream delivers: the stored items (DynamoDB JSON) as new images."""
    items = session.client("dynamodb", region_name=REGION).scan(TableName=table)["Items"]
    return {"Records": [{"eventName": "INSERT", "dynamodb": {"NewImage": item}} for item in items]}


@pytest.fixture
def stream_event():
    reads = [plate_read(s) for s in syn.drive("1ABC234", CAMS, NOW_MS - HOUR, 60_000)]
    reads[0] = reads[0].model_copy(
        update={"alternatives": ("1A8C234",), "confidence": 0.6, "direction": "in"}
    )
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        prov = provision(session, prefix="anpr-feed")
        table = prov.name("table", "Reads")
        DynamoPlateReadRepository(table, REGION).put_many(reads)
        yield reads, _stream_event(session, table), session


def test_a_stream_insert_becomes_the_row_the_writer_would_write(stream_event):
    reads, event, _ = stream_event
    rows = sorted(rows_from_stream(event), key=lambda r: r["capture_ms"])
    assert rows == [row(r) for r in reads]
    assert list(rows[0]) == list(COLUMNS) and rows[0]["alternatives"] == ["1A8C234"]


def test_updates_and_deletions_are_not_copied():
    event = {
        "Records": [
            {"eventName": "MODIFY", "dynamodb": {"NewImage": {}}},
            {"eventName": "REMOVE", "dynamodb": {}},
        ]
    }
    assert rows_from_stream(event) == []


def test_the_feed_into_the_layout_is_searchable(stream_event, tmp_path):
    _, event, _ = stream_event
    AnalyticsFeed(WriterSink(AnalyticsWriter(FolderStore(tmp_path), clock=lambda: NOW_MS))).handle(event)
    query = parse_query("partial", {"pattern": "1ABC*", "start_ms": NOW_MS - 2 * HOUR, "end_ms": NOW_MS})
    result = AnalyticsSearch(DuckDBEngine(tmp_path), InMemoryCameraRegistry(CAMS)).run(query, {})
    assert [(i["plate"], i["reads"]) for i in result.items] == [("1ABC234", 2)]


class FakeFirehose:
    def __init__(self, fail_first: int = 0):
        self.calls, self.fail_first = [], fail_first

    def put_record_batch(self, DeliveryStreamName, Records):
        self.calls.append([json.loads(r["Data"]) for r in Records])
        failed = min(self.fail_first, len(Records))
        self.fail_first = 0
        return {
            "FailedPutCount": failed,
            "RequestResponses": [{"ErrorCode": "ServiceUnavailable"}] * failed
            + [{"RecordId": "x"}] * (len(Records) - failed),
        }


def test_firehose_gets_json_lines_and_failed_records_are_retried(stream_event):
    _, event, _ = stream_event
    fake = FakeFirehose(fail_first=1)
    AnalyticsFeed(FirehoseSink("reads-to-parquet", fake)).handle(event)
    assert [len(c) for c in fake.calls] == [2, 1]
    assert fake.calls[1][0] == fake.calls[0][0]


def test_firehose_refusing_everything_fails_the_batch():
    fake = FakeFirehose(fail_first=10**6)
    fake.put_record_batch = lambda **kw: {"FailedPutCount": 1, "RequestResponses": [{"ErrorCode": "x"}]}
    with pytest.raises(StorageError):
        FirehoseSink("s", fake).put([{"read_id": "r"}])


def test_a_sink_failure_reports_the_batch_for_retry_instead_of_dropping_it(stream_event):
    # GIVEN a stream batch and a Firehose that keeps failing
    _, event, _ = stream_event
    for i, record in enumerate(event["Records"]):
        record["dynamodb"]["SequenceNumber"] = f"{100 + i}"

    class Failing:
        def put(self, rows):
            raise StorageError("firehose throttled")

    # WHEN the feed handles it
    out = AnalyticsFeed(Failing()).handle(event)
    # THEN the batch's first record is reported failed: the stream retries from there (nothing lost)
    assert out["batchItemFailures"] == [{"itemIdentifier": "100"}] and out["rows"] == 0
