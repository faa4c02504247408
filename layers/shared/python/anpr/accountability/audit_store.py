"""The audit trail, stored: a hash chain in DynamoDB mirrored write-once to S3.

Every record carries ``prev_hash`` and ``hash = sha256(prev_hash + canonical JSON of
{seq, event})``. Records are appended to one chain partition (``chain="AUDIT"``) with a
conditional put on the next sequence number (``attribute_not_exists``): two writers racing
for the same ``seq`` cannot both win, the loser learns the winner's hash from the failed
put (``ReturnValuesOnConditionCheckFailure=ALL_OLD``) and retries on top of it. No record
is ever updated or deleted; writers hold PutItem only (the "append" access), and find the
chain's end through a forward-only head hint item (``chain="HEAD"``), not a query.

Throughput trade-off (docs/accountability.md): one chain is one DynamoDB partition key, so
writes are serialised — roughly a few hundred records a second under contention, orders of
magnitude above what the national police's searches produce. Per-day chains (the first
record of a day linking to the last of the previous day) are the scale-out path if it is
ever needed; the record format would not change.

Tampering is detectable by ``verify_chain``: an altered record no longer matches its hash,
a deleted one leaves a gap and a broken link, a reordered one breaks ``seq``/``prev_hash``.
Deleting the *tail* of a chain leaves no gap in the table, so ``verify_store`` also
compares the table with the S3 mirror, whose objects Object Lock (compliance mode) keeps.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar, Literal, Protocol

import boto3
from botocore.exceptions import ClientError
from pydantic import BaseModel, computed_field

from anpr.kernel.audit import AuditEvent, stamped
from anpr.kernel.clock import Clock, system_clock
from anpr.kernel.config import BaseConfig
from anpr.kernel.db import StorageError
from anpr.reads.plates import normalise

log = logging.getLogger(__name__)

GENESIS = "0" * 64
CHAIN = "AUDIT"
ARCHIVE_PREFIX = "audit/"


# ---------------------------------------------------------------------------------------
# Records and their hashes
# ---------------------------------------------------------------------------------------


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_body(event: AuditEvent) -> str:
    """The event as it is hashed and stored; kept verbatim so a later schema change never
    changes the hash of an old record."""
    return canonical_json(event.model_dump(mode="json"))


def record_hash(prev_hash: str, seq: int, body: str) -> str:
    payload = canonical_json({"seq": seq, "event": json.loads(body)})
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


class AuditRecord(BaseModel):
    seq: int
    prev_hash: str
    hash: str
    #: canonical JSON of the AuditEvent
    body: str

    @classmethod
    def build(cls, seq: int, prev_hash: str, body: str) -> AuditRecord:
        return cls(seq=seq, prev_hash=prev_hash, hash=record_hash(prev_hash, seq, body), body=body)

    @property
    def event(self) -> AuditEvent:
        return AuditEvent.model_validate_json(self.body)

    def intact(self) -> bool:
        return record_hash(self.prev_hash, self.seq, self.body) == self.hash


ProblemKind = Literal["altered", "missing", "out_of_order", "broken_link", "archive_mismatch", "not_archived"]


class Problem(BaseModel):
    seq: int
    kind: ProblemKind
    detail: str = ""


class VerifyReport(BaseModel):
    checked: int
    head_seq: int
    head_hash: str
    problems: list[Problem] = []

    @computed_field
    @property
    def ok(self) -> bool:
        # a record not yet mirrored is a warning (the mirror write may be in flight), not tampering
        return not any(p.kind != "not_archived" for p in self.problems)


def verify_chain(records: Iterable[AuditRecord], expected_head: int | None = None) -> VerifyReport:
    """Walk ``records`` in the order given (the table returns them by seq) from the genesis.

    ``expected_head``: the highest seq known from elsewhere (the S3 mirror); records missing
    past the table's last one are a deleted tail.
    """
    problems: list[Problem] = []
    prev_hash, expected, checked = GENESIS, 1, 0
    for r in records:
        checked += 1
        if r.seq < expected:
            problems.append(Problem(seq=r.seq, kind="out_of_order", detail=f"expected seq {expected}"))
        elif r.seq > expected:
            missing = f"{expected}" if r.seq == expected + 1 else f"{expected}..{r.seq - 1}"
            problems.append(Problem(seq=expected, kind="missing", detail=f"records {missing} are gone"))
        if r.prev_hash != prev_hash:
            problems.append(
                Problem(seq=r.seq, kind="broken_link", detail="prev_hash is not the previous record's hash")
            )
        if not r.intact():
            problems.append(Problem(seq=r.seq, kind="altered", detail="content does not match its hash"))
        prev_hash, expected = r.hash, max(expected, r.seq + 1)
    head = expected - 1
    if expected_head is not None and expected_head > head:
        problems.append(
            Problem(
                seq=head + 1,
                kind="missing",
                detail=f"records {head + 1}..{expected_head} are in the archive only",
            )
        )
    return VerifyReport(checked=checked, head_seq=head, head_hash=prev_hash, problems=problems)


# ---------------------------------------------------------------------------------------
# Interfaces
# ---------------------------------------------------------------------------------------


class AuditReader(Protocol):
    def records(self, start_seq: int = 1) -> Iterator[AuditRecord]: ...

    def by_plate(self, plate: str) -> list[AuditRecord]: ...

    def by_actor(self, actor_id: str, start_ms: int, end_ms: int) -> list[AuditRecord]: ...

    def between(self, start_ms: int, end_ms: int) -> list[AuditRecord]: ...


class AuditArchive(Protocol):
    def put(self, record: AuditRecord) -> None: ...

    def records(self) -> Iterator[AuditRecord]: ...


def _in(record: AuditRecord, start_ms: int, end_ms: int) -> bool:
    return start_ms <= record.event.at_ms <= end_ms


# ---------------------------------------------------------------------------------------
# DynamoDB + S3
# ---------------------------------------------------------------------------------------


def _day(at_ms: int) -> str:
    return datetime.fromtimestamp(at_ms / 1000, tz=UTC).strftime("%Y%m%d")


def _at_sk(at_ms: int, seq: int) -> str:
    return f"{at_ms:013d}#{seq:012d}"


@dataclass(frozen=True)
class _Head:
    seq: int
    hash: str


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


class DynamoAuditTrail:
    """The production trail: ``record`` appends, the reader methods serve the auditor."""

    def __init__(
        self,
        table_name: str,
        region: str,
        archive: AuditArchive | None = None,
        client=None,
        max_attempts: int = 200,
        *,
        clock: Clock,
    ):
        self.table_name, self.clock = table_name, clock
        self.archive = archive
        self._ddb = client or boto3.client("dynamodb", region_name=region)
        self._max_attempts = max_attempts
        self._head: _Head | None = None
        self._lock = threading.Lock()

    # -- writing ---------------------------------------------------------------------------
    def record(self, event: AuditEvent) -> AuditRecord:
        event = stamped(event, self.clock)
        body = event_body(event)
        with self._lock:
            rec = self._append(body)
        for plate in sorted({normalise(p) for p in event.plates} - {""}):
            self._put_pointer(plate, rec.seq, event)
        if self.archive is not None:
            self.archive.put(rec)
        log.info("audit recorded", extra={"seq": rec.seq, "action": event.action, "outcome": event.outcome})
        return rec

    def _append(self, body: str) -> AuditRecord:
        event = json.loads(body)
        head = self._head or self._head_hint()
        for _ in range(self._max_attempts):
            rec = AuditRecord.build(head.seq + 1, head.hash, body)
            item = {
                "chain": {"S": CHAIN},
                "seq": {"N": str(rec.seq)},
                "prev_hash": {"S": rec.prev_hash},
                "hash": {"S": rec.hash},
                "body": {"S": body},
                "action": {"S": event["action"]},
                "at_ms": {"N": str(event["at_ms"])},
                "actor_pk": {"S": f"A#{event['actor_id']}"},
                "day_pk": {"S": f"D#{_day(event['at_ms'])}"},
                "at_sk": {"S": _at_sk(event["at_ms"], rec.seq)},
            }
            try:
                self._ddb.put_item(
                    TableName=self.table_name,
                    Item=item,
                    ConditionExpression="attribute_not_exists(seq)",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise StorageError(f"audit trail write failed: {exc}") from exc
                won = exc.response.get("Item")  # the record that took this seq
                if not won:
                    raise StorageError(
                        "audit trail: a conditional put failed without the winning record"
                    ) from exc
                head = _Head(int(won["seq"]["N"]), won["hash"]["S"])
                continue
            self._head = _Head(rec.seq, rec.hash)
            self._advance_hint(self._head)
            return rec
        raise StorageError(f"audit trail contention: no free seq after {self._max_attempts} attempts")

    # Writers hold PutItem only (no Query, no GetItem): a new container learns where the
    # chain ends from a head hint item, read through a conditional put that fails and
    # returns it (ReturnValuesOnConditionCheckFailure). The hint only moves forward and may
    # lag behind; the conditional append then walks forward to the true head.
    _HINT_KEY: ClassVar[dict] = {"chain": {"S": "HEAD"}, "seq": {"N": "0"}}

    def _head_hint(self) -> _Head:
        try:
            self._ddb.put_item(
                TableName=self.table_name,
                Item={**self._HINT_KEY, "head_seq": {"N": "0"}, "head_hash": {"S": GENESIS}},
                ConditionExpression="attribute_not_exists(seq)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise StorageError(f"audit trail head read failed: {exc}") from exc
            hint = exc.response.get("Item")
            if hint:
                return _Head(int(hint["head_seq"]["N"]), hint["head_hash"]["S"])
        return _Head(0, GENESIS)

    def _advance_hint(self, head: _Head) -> None:
        try:
            self._ddb.put_item(
                TableName=self.table_name,
                Item={**self._HINT_KEY, "head_seq": {"N": str(head.seq)}, "head_hash": {"S": head.hash}},
                ConditionExpression="attribute_not_exists(seq) OR head_seq < :n",
                ExpressionAttributeValues={":n": {"N": str(head.seq)}},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                log.warning("audit head hint not advanced", extra={"seq": head.seq, "error": str(exc)})

    def _put_pointer(self, plate: str, seq: int, event: AuditEvent) -> None:
        try:
            self._ddb.put_item(
                TableName=self.table_name,
                Item={
                    "chain": {"S": f"P#{plate}"},
                    "seq": {"N": str(seq)},
                    "at_ms": {"N": str(event.at_ms)},
                    "action": {"S": event.action},
                },
                ConditionExpression="attribute_not_exists(seq)",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return  # written by an earlier attempt
            raise StorageError(f"audit plate index write failed: {exc}") from exc

    # -- reading ---------------------------------------------------------------------------
    def head(self) -> _Head:
        items = self._query(
            KeyConditionExpression="chain = :c",
            ExpressionAttributeValues={":c": {"S": CHAIN}},
            ScanIndexForward=False,
            Limit=1,
            ConsistentRead=True,
            paginate=False,
        )
        if not items:
            return _Head(0, GENESIS)
        return _Head(int(items[0]["seq"]["N"]), items[0]["hash"]["S"])

    def records(self, start_seq: int = 1) -> Iterator[AuditRecord]:
        for item in self._iter_query(
            KeyConditionExpression="chain = :c AND seq >= :s",
            ExpressionAttributeValues={":c": {"S": CHAIN}, ":s": {"N": str(start_seq)}},
            ConsistentRead=True,
        ):
            yield self._record(item)

    def by_plate(self, plate: str) -> list[AuditRecord]:
        pointers = self._query(
            KeyConditionExpression="chain = :c",
            ExpressionAttributeValues={":c": {"S": f"P#{normalise(plate)}"}},
            ConsistentRead=True,
        )
        return self._get_many(int(p["seq"]["N"]) for p in pointers)

    def by_actor(self, actor_id: str, start_ms: int, end_ms: int) -> list[AuditRecord]:
        return self._by_index("byActor", "actor_pk", f"A#{actor_id}", start_ms, end_ms)

    def between(self, start_ms: int, end_ms: int) -> list[AuditRecord]:
        out: list[AuditRecord] = []
        day = start_ms - start_ms % 86_400_000
        while day <= end_ms:
            out.extend(self._by_index("byDay", "day_pk", f"D#{_day(day)}", start_ms, end_ms))
            day += 86_400_000
        return sorted(out, key=lambda r: r.seq)

    def _by_index(self, index: str, attr: str, value: str, start_ms: int, end_ms: int) -> list[AuditRecord]:
        # the indexes project every attribute (eventually consistent: fine for reports;
        # the chain itself is verified from the table with consistent reads)
        items = self._query(
            IndexName=index,
            KeyConditionExpression=f"{attr} = :v AND at_sk BETWEEN :lo AND :hi",
            ExpressionAttributeValues={
                ":v": {"S": value},
                ":lo": {"S": f"{start_ms:013d}#"},
                ":hi": {"S": f"{end_ms:013d}#~"},
            },
        )
        return [self._record(i) for i in items]

    def _get_many(self, seqs: Iterable[int]) -> list[AuditRecord]:
        wanted = sorted(set(seqs))
        out: list[AuditRecord] = []
        for i in range(0, len(wanted), 100):
            keys = [{"chain": {"S": CHAIN}, "seq": {"N": str(s)}} for s in wanted[i : i + 100]]
            request = {self.table_name: {"Keys": keys, "ConsistentRead": True}}
            try:
                while request:
                    resp = self._ddb.batch_get_item(RequestItems=request)
                    out.extend(self._record(x) for x in resp["Responses"].get(self.table_name, []))
                    request = resp.get("UnprocessedKeys") or {}
            except ClientError as exc:
                raise StorageError(f"audit trail read failed: {exc}") from exc
        return sorted(out, key=lambda r: r.seq)

    def _query(self, paginate: bool = True, **kwargs) -> list[dict]:
        if not paginate:
            try:
                return self._ddb.query(TableName=self.table_name, **kwargs)["Items"]
            except ClientError as exc:
                raise StorageError(f"audit trail query failed: {exc}") from exc
        return list(self._iter_query(**kwargs))

    def _iter_query(self, **kwargs) -> Iterator[dict]:
        try:
            for page in self._ddb.get_paginator("query").paginate(TableName=self.table_name, **kwargs):
                yield from page["Items"]
        except ClientError as exc:
            raise StorageError(f"audit trail query failed: {exc}") from exc

    @staticmethod
    def _record(item: dict) -> AuditRecord:
        return AuditRecord(
            seq=int(item["seq"]["N"]),
            prev_hash=item["prev_hash"]["S"],
            hash=item["hash"]["S"],
            body=item["body"]["S"],
        )


def verify_store(trail: AuditReader, archive: AuditArchive | None) -> VerifyReport:
    """``verify_chain`` over the table, cross-checked with the write-once mirror."""
    archived = {r.seq: r for r in archive.records()} if archive is not None else {}
    records = list(trail.records())
    report = verify_chain(records, expected_head=max(archived, default=None))
    if archive is None:
        return report
    in_table = {r.seq for r in records}
    for r in records:
        mirrored = archived.get(r.seq)
        if mirrored is None:
            report.problems.append(Problem(seq=r.seq, kind="not_archived", detail="no mirror object yet"))
        elif (mirrored.hash, mirrored.body, mirrored.prev_hash) != (r.hash, r.body, r.prev_hash):
            report.problems.append(
                Problem(seq=r.seq, kind="archive_mismatch", detail="table differs from the locked copy")
            )
    for seq in sorted(set(archived) - in_table):
        if seq <= report.head_seq:  # tail deletions are already reported by verify_chain
            report.problems.append(
                Problem(seq=seq, kind="missing", detail="in the archive, deleted from the table")
            )
    report.problems.sort(key=lambda p: (p.seq, p.kind))
    return report


# ---------------------------------------------------------------------------------------
# The trail every API function uses
# ---------------------------------------------------------------------------------------


class AuditTrailSettings(BaseConfig):
    table_audit_trail: str
    #: every writer should have it (AUDIT_WRITER_USES); absent only in partial setups
    bucket_audit_archive: str | None = None


def trail_from(settings: AuditTrailSettings, clock: Clock = system_clock) -> DynamoAuditTrail:
    archive = (
        S3AuditArchive(settings.bucket_audit_archive, region=settings.region)
        if settings.bucket_audit_archive
        else None
    )
    return DynamoAuditTrail(settings.table_audit_trail, settings.region, archive=archive, clock=clock)
