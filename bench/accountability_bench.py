"""Audit trail costs: hashing and verifying the chain, and requests per recorded access."""

from __future__ import annotations

import math
import time

from anpr.accountability.verify import verify_chain
from anpr.kernel.audit import AuditEvent
from anpr.kernel.clock import system_clock

from bench.machine import goal, vs
from bench.run import quick
from tests.fakes.accountability import InMemoryAuditStore

N = 4_000 if quick() else 20_000
#: DynamoDB's write throughput on one partition key (documented limit)
PARTITION_WCU_PER_S = 1000
#: docs/accountability.md "Audit rate at national scale": about 10–15 records/s at peak
NATIONAL_PEAK_PER_S = 15.0
NOW_MS = 1_795_000_000_000


def _event(i: int) -> AuditEvent:
    return AuditEvent(
        action="search.submitted",
        actor_id=f"sub-officer{i % 50}",
        actor_name=f"officer{i % 50}",
        roles=["investigator"],
        resource=f"search/{i}",
        plates=[f"1ABC{i % 1000:03d}"],
        case_ref="PV-2026-001",
        reason="burglary follow-up",
        detail={"type": "plate"},
        at_ms=NOW_MS + i,
    )


def _item_bytes(item: dict) -> int:
    """DynamoDB's item size: attribute names plus values (UTF-8; numbers as their digits)."""
    return sum(len(k.encode()) + len(next(iter(v.values())).encode()) for k, v in item.items())


def _moto_requests_per_record() -> tuple[float, float, float]:
    """(DynamoDB + S3 requests per record, ms per record, mean chain item bytes) on in-process moto."""
    import boto3
    from anpr.accountability.adapters.dynamo import DynamoAuditTrail
    from anpr.accountability.adapters.s3 import S3AuditArchive
    from moto import mock_aws

    with mock_aws():
        ddb, s3 = (
            boto3.client("dynamodb", region_name="eu-west-1"),
            boto3.client("s3", region_name="eu-west-1"),
        )
        ddb.create_table(
            TableName="audit",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "chain", "AttributeType": "S"}, {"AttributeName": "seq", "AttributeType": "N"}],
            KeySchema=[{"AttributeName": "chain", "KeyType": "HASH"}, {"AttributeName": "seq", "KeyType": "RANGE"}],
        )  # fmt: skip
        s3.create_bucket(Bucket="archive", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        calls = {"n": 0}

        def count(**_):
            calls["n"] += 1

        ddb.meta.events.register("before-call.*.*", count)
        s3.meta.events.register("before-call.*.*", count)
        trail = DynamoAuditTrail(
            "audit", "eu-west-1", archive=S3AuditArchive("archive", s3=s3), client=ddb, clock=system_clock
        )
        n = 200
        t0 = time.perf_counter()
        for i in range(n):
            trail.record(_event(i))
        ms = (time.perf_counter() - t0) * 1000 / n
        chain_items = [i for i in ddb.scan(TableName="audit")["Items"] if "body" in i and "hash" in i]
        item_bytes = sum(_item_bytes(i) for i in chain_items) / max(1, len(chain_items))
    return calls["n"] / n, ms, item_bytes


def run() -> list[dict]:
    store = InMemoryAuditStore()
    events = [_event(i) for i in range(N)]
    t0 = time.perf_counter()
    for e in events:
        store.record(e)
    record_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = verify_chain(store.records())
    verify_s = time.perf_counter() - t0
    assert report.ok
    requests, moto_ms, item_bytes = _moto_requests_per_record()
    wcu = math.ceil(item_bytes / 1024)
    limit = PARTITION_WCU_PER_S / wcu
    return [
        {"name": "audit chain: hash + append (in memory)", "value": round(N / record_s), "unit": "records/s",
         "notes": f"{N} records, sha256 over canonical JSON"},
        {"name": "audit chain: verify", "value": round(N / verify_s), "unit": "records/s",
         **vs(record_s, verify_s, "the hash + append rate"),
         "notes": "anpr audit verify's CPU cost, storage reads excluded"},
        {"name": "audit record: requests per access", "value": round(requests, 2), "unit": "requests",
         "notes": "chain put + head hint + 1 plate pointer + S3 mirror (moto, warm container)"},
        {"name": "audit record on moto", "value": round(moto_ms, 2), "unit": "ms/record",
         "notes": "in-process moto: relative only, not AWS latency"},
        {"name": "audit chain item", "value": round(item_bytes), "unit": "bytes",
         "notes": f"{wcu} write unit(s) per append (1 KB each), 1 plate, measured on the stored items"},
        {"name": "one chain: design limit", "value": round(limit), "unit": "appends/s",
         **goal(limit, NATIONAL_PEAK_PER_S, "records/s", at_most=False),
         "notes": f"computed, not measured: DynamoDB's {PARTITION_WCU_PER_S} WCU/s on one partition key ÷ "
         f"{wcu} WCU; each writer that loses a conditional put spends another write, so contention lowers "
         "it; goal: the national peak estimate in docs/accountability.md"},
    ]  # fmt: skip


if __name__ == "__main__":
    from bench.machine import print_table

    print_table("accountability_bench", run())
