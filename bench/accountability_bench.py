"""Audit trail costs: hashing and verifying the chain, and requests per recorded access."""

from __future__ import annotations

import time

from anpr.accountability.verify import verify_chain
from anpr.kernel.audit import AuditEvent
from anpr.kernel.clock import system_clock

from bench.machine import vs
from bench.run import quick
from tests.fakes.accountability import InMemoryAuditStore

N = 4_000 if quick() else 20_000
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


def _moto_requests_per_record() -> tuple[float, float]:
    """(DynamoDB + S3 requests per record, ms per record) on in-process moto."""
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
    return calls["n"] / n, ms


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
    requests, moto_ms = _moto_requests_per_record()
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
    ]  # fmt: skip


if __name__ == "__main__":
    from bench.machine import print_table

    print_table("accountability_bench", run())
