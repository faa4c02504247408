"""Accountability on DynamoDB: the audit trail, legal holds (with their evidence copies in S3),
audit probes, and the reads count of the transparency figures.

The audit trail, stored: a hash chain in DynamoDB mirrored write-once to S3 (``adapters.s3``).
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

import json
import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar

import boto3
from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from anpr.accountability.models import (
    CHAIN,
    GENESIS,
    AuditRecord,
    HeldRead,
    LegalHold,
    Probe,
    ProbeStatus,
    ReadRef,
    day_of,
    derived_attributes,
    event_body,
)
from anpr.accountability.ports import AuditArchive
from anpr.accountability.transparency import AlertFigures, follow_up_by_zone
from anpr.kernel.audit import AuditEvent, stamped
from anpr.kernel.clock import Clock
from anpr.kernel.db import StorageError
from anpr.kernel.errors import Conflict
from anpr.reads import keys
from anpr.reads.plates import normalise

log = logging.getLogger(__name__)

#: the attributes a chain record stores besides its hashed content (``derived_attributes``)
INDEX_ATTRIBUTES = ("action", "at_ms", "actor_pk", "day_pk", "at_sk")


# ---------------------------------------------------------------------------------------
# The audit trail
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Head:
    seq: int
    hash: str


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
        head = self._head or self._head_hint()
        for _ in range(self._max_attempts):
            rec = AuditRecord.build(head.seq + 1, head.hash, body)
            derived = derived_attributes(rec.seq, body)
            item = {
                "chain": {"S": CHAIN},
                "seq": {"N": str(rec.seq)},
                "prev_hash": {"S": rec.prev_hash},
                "hash": {"S": rec.hash},
                "body": {"S": body},
                **{k: ({"N": v} if k == "at_ms" else {"S": v}) for k, v in derived.items()},
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
            out.extend(self._by_index("byDay", "day_pk", f"D#{day_of(day)}", start_ms, end_ms))
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

    def pointers(self) -> Iterator[tuple[str, int]]:
        """Every plate pointer item (a scan: for ``verify``, which reads everything anyway)."""
        try:
            for page in self._ddb.get_paginator("scan").paginate(
                TableName=self.table_name,
                FilterExpression="begins_with(#c, :p)",
                ExpressionAttributeNames={"#c": "chain"},
                ExpressionAttributeValues={":p": {"S": "P#"}},
                ConsistentRead=True,
            ):
                for item in page["Items"]:
                    yield item["chain"]["S"][2:], int(item["seq"]["N"])
        except ClientError as exc:
            raise StorageError(f"audit plate index read failed: {exc}") from exc

    @staticmethod
    def _record(item: dict) -> AuditRecord:
        return AuditRecord(
            seq=int(item["seq"]["N"]),
            prev_hash=item["prev_hash"]["S"],
            hash=item["hash"]["S"],
            body=item["body"]["S"],
            index={a: next(iter(item[a].values())) for a in INDEX_ATTRIBUTES if a in item},
        )


# ---------------------------------------------------------------------------------------
# Legal holds
# ---------------------------------------------------------------------------------------


class DynamoHoldStore:
    """``item="HOLD"`` carries the hold; ``item="READ#{read_id}"`` rows feed the byRead index."""

    def __init__(self, table_name: str, region: str, resource=None):
        self._table = (resource or boto3.resource("dynamodb", region_name=region)).Table(table_name)

    def put(self, hold: LegalHold) -> None:
        try:
            with self._table.batch_writer() as batch:
                batch.put_item(Item=self._header(hold))
                for r in hold.reads:
                    batch.put_item(
                        Item={"hold_id": hold.hold_id, "item": f"READ#{r.read_id}", "read_id": r.read_id}
                    )
        except ClientError as exc:
            raise StorageError(f"legal holds write failed: {exc}") from exc

    def get(self, hold_id: str) -> LegalHold | None:
        try:
            item = self._table.get_item(Key={"hold_id": hold_id, "item": "HOLD"}, ConsistentRead=True).get(
                "Item"
            )
        except ClientError as exc:
            raise StorageError(f"legal holds read failed: {exc}") from exc
        return LegalHold.model_validate_json(item["doc"]) if item else None

    def save_released(self, hold: LegalHold) -> None:
        try:
            self._table.put_item(
                Item=self._header(hold),
                ConditionExpression="#st = :active",
                ExpressionAttributeNames={"#st": "status"},
                ExpressionAttributeValues={":active": "active"},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise Conflict(f"hold {hold.hold_id} is already released") from exc
            raise StorageError(f"legal holds write failed: {exc}") from exc

    def list(self) -> list[LegalHold]:
        try:
            items, kwargs = [], {"FilterExpression": "#i = :h", "ExpressionAttributeNames": {"#i": "item"},
                                 "ExpressionAttributeValues": {":h": "HOLD"}}  # fmt: skip
            while True:
                resp = self._table.scan(**kwargs)
                items.extend(resp["Items"])
                if "LastEvaluatedKey" not in resp:
                    break
                kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]
        except ClientError as exc:
            raise StorageError(f"legal holds read failed: {exc}") from exc
        return sorted((LegalHold.model_validate_json(i["doc"]) for i in items), key=lambda h: h.placed_at_ms)

    def active_holds_for(self, read_id: str) -> list[str]:
        try:
            rows = self._table.query(IndexName="byRead", KeyConditionExpression=Key("read_id").eq(read_id))[
                "Items"
            ]
        except ClientError as exc:
            raise StorageError(f"legal holds read failed: {exc}") from exc
        return [
            h
            for h in sorted({r["hold_id"] for r in rows})
            if (hold := self.get(h)) and hold.status == "active"
        ]

    @staticmethod
    def _header(hold: LegalHold) -> dict:
        return {"hold_id": hold.hold_id, "item": "HOLD", "status": hold.status, "doc": hold.model_dump_json()}


class DynamoHoldableReads:
    """The reads table (TTL attribute ``expires_at``) and the held images' evidence copies."""

    def __init__(self, reads_table: str, evidence_bucket: str, region: str, ddb=None, s3=None):
        self.reads_table, self.evidence_bucket = reads_table, evidence_bucket
        self._ddb = ddb or boto3.client("dynamodb", region_name=region)
        self._s3 = s3 or boto3.client("s3", region_name=region)

    @staticmethod
    def _key(read_id: str, capture_ms: int) -> dict:
        return {
            "pk": {"S": keys.partition_key(capture_ms, read_id)},
            "sk": {"S": keys.sort_key(capture_ms, read_id)},
        }

    def hold(self, ref: ReadRef, hold_id: str) -> HeldRead | None:
        key = self._key(ref.read_id, ref.capture_ms)
        try:
            item = self._ddb.get_item(TableName=self.reads_table, Key=key, ConsistentRead=True).get("Item")
        except ClientError as exc:
            raise StorageError(f"reads table read failed: {exc}") from exc
        if not item:
            return None
        original_bucket = item.get("held_snapshot_bucket", item["snapshot_bucket"])["S"]
        original_exp = item.get("held_expires_at", item.get("expires_at"))
        already_held = item["snapshot_bucket"]["S"] == self.evidence_bucket
        images = True if already_held else self._copy_images(original_bucket, item)
        values = {":h": {"S": hold_id}, ":ev": {"S": self.evidence_bucket}, ":ob": {"S": original_bucket}}
        set_exp = ""
        if original_exp is not None:
            values[":oe"] = original_exp
            set_exp = ", held_expires_at = if_not_exists(held_expires_at, :oe)"
        try:
            self._ddb.update_item(
                TableName=self.reads_table,
                Key=key,
                UpdateExpression=(
                    "SET legal_hold = :h, snapshot_bucket = :ev, "
                    f"held_snapshot_bucket = if_not_exists(held_snapshot_bucket, :ob){set_exp} REMOVE expires_at"
                ),
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None  # expired and swept between the read and the update
            raise StorageError(f"reads table hold failed: {exc}") from exc
        return HeldRead(
            read_id=ref.read_id,
            capture_ms=ref.capture_ms,
            plate=item["plate"]["S"],
            original_expires_at=int(original_exp["N"]) if original_exp else None,
            images_held=images,
        )

    def release(self, held: HeldRead, still_held_by: str | None) -> None:
        key = self._key(held.read_id, held.capture_ms)
        try:
            if still_held_by:
                self._ddb.update_item(
                    TableName=self.reads_table, Key=key, UpdateExpression="SET legal_hold = :h",
                    ConditionExpression="attribute_exists(pk)", ExpressionAttributeValues={":h": {"S": still_held_by}},
                )  # fmt: skip
                return
            old = self._ddb.update_item(
                TableName=self.reads_table,
                Key=key,
                UpdateExpression=(
                    "SET expires_at = held_expires_at, snapshot_bucket = held_snapshot_bucket "
                    "REMOVE legal_hold, held_expires_at, held_snapshot_bucket"
                ),
                ConditionExpression="attribute_exists(held_expires_at) AND attribute_exists(held_snapshot_bucket)",
                ReturnValues="ALL_OLD",
            )["Attributes"]
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return  # gone, or not held any more
            raise StorageError(f"reads table release failed: {exc}") from exc
        for k in self._image_keys(old):
            try:
                self._delete_copy(k)
            except ClientError as exc:
                # the read is released already; failing now would leave a half-released hold
                # that cannot be retried. A copy left behind outlives retention: loud error.
                log.error(
                    "evidence copy of a released read not deleted",
                    extra={"read_id": held.read_id, "key": k, "error": exc.response["Error"].get("Code")},
                )

    @staticmethod
    def _image_keys(item: dict) -> list[str]:
        return [item[a]["S"] for a in ("snapshot_key", "crop_key") if a in item and "S" in item[a]]

    def _delete_copy(self, key: str) -> None:
        """Lift the copy's S3 legal hold, then delete that version outright (not a delete marker:
        the evidence goes when the hold is released, not a lifecycle day later)."""
        try:
            version = self._s3.head_object(Bucket=self.evidence_bucket, Key=key).get("VersionId")
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("NoSuchKey", "404"):
                return
            raise
        self._s3.put_object_legal_hold(
            Bucket=self.evidence_bucket, Key=key, LegalHold={"Status": "OFF"}, ChecksumAlgorithm="SHA256"
        )
        self._s3.delete_object(
            Bucket=self.evidence_bucket, Key=key, **({"VersionId": version} if version else {})
        )

    def _copy_images(self, source_bucket: str, item: dict) -> bool:
        """True if every image is in the evidence bucket (an expired original cannot be).

        Each copy is put under an S3 legal hold (the bucket has Object Lock, no default
        retention): nobody deletes it, not even with the function's own grants, until the
        hold is released here."""
        complete = True
        for k in self._image_keys(item):
            try:
                self._s3.copy_object(
                    Bucket=self.evidence_bucket, Key=k, CopySource={"Bucket": source_bucket, "Key": k},
                    MetadataDirective="COPY",
                )  # fmt: skip
                self._s3.put_object_legal_hold(
                    Bucket=self.evidence_bucket, Key=k, LegalHold={"Status": "ON"}, ChecksumAlgorithm="SHA256"
                )
            except ClientError as exc:
                if exc.response["Error"]["Code"] in ("NoSuchKey", "404"):
                    complete = False
                    continue
                raise StorageError(f"evidence copy failed: {exc}") from exc
        return complete


# ---------------------------------------------------------------------------------------
# Audit probes
# ---------------------------------------------------------------------------------------


class DynamoProbeStore:
    def __init__(self, table_name: str, region: str, resource=None):
        self._table = (resource or boto3.resource("dynamodb", region_name=region)).Table(table_name)

    def add(self, probe: Probe) -> bool:
        try:
            self._table.put_item(Item=self._item(probe), ConditionExpression="attribute_not_exists(probe_id)")
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise StorageError(f"probes write failed: {exc}") from exc
        return True

    def get(self, probe_id: str) -> Probe | None:
        try:
            item = self._table.get_item(Key={"probe_id": probe_id}, ConsistentRead=True).get("Item")
        except ClientError as exc:
            raise StorageError(f"probes read failed: {exc}") from exc
        return Probe.model_validate(item) if item else None

    def save(self, probe: Probe, expected_status) -> None:
        expected = expected_status if isinstance(expected_status, tuple) else (expected_status,)
        values = {f":s{i}": s.value for i, s in enumerate(expected)}
        try:
            self._table.put_item(
                Item=self._item(probe),
                ConditionExpression=f"#st IN ({', '.join(values)})",
                ExpressionAttributeNames={"#st": "status"},
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise Conflict(f"probe {probe.probe_id} changed meanwhile") from exc
            raise StorageError(f"probes write failed: {exc}") from exc

    def by_status(self, status: ProbeStatus) -> list[Probe]:
        kwargs = {"IndexName": "byStatus", "KeyConditionExpression": Key("status").eq(status.value)}
        out: list[Probe] = []
        try:
            while True:
                resp = self._table.query(**kwargs)
                out.extend(Probe.model_validate(i) for i in resp["Items"])
                if "LastEvaluatedKey" not in resp:
                    return out
                kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]
        except ClientError as exc:
            raise StorageError(f"probes query failed: {exc}") from exc

    @staticmethod
    def _period_id(start_ms: int, end_ms: int) -> str:
        return f"DRAW#{start_ms:013d}#{end_ms:013d}"  # no status: never in the byStatus index

    def period_drawn(self, start_ms: int, end_ms: int) -> bool:
        try:
            key = {"probe_id": self._period_id(start_ms, end_ms)}
            return "Item" in self._table.get_item(Key=key, ConsistentRead=True)
        except ClientError as exc:
            raise StorageError(f"probes read failed: {exc}") from exc

    def mark_period_drawn(self, start_ms: int, end_ms: int) -> None:
        try:
            self._table.put_item(
                Item={"probe_id": self._period_id(start_ms, end_ms), "start_ms": start_ms, "end_ms": end_ms}
            )
        except ClientError as exc:
            raise StorageError(f"probes write failed: {exc}") from exc

    @staticmethod
    def _item(probe: Probe) -> dict:
        item = {k: v for k, v in probe.model_dump(mode="json").items() if v is not None}
        item["drawn_sk"] = f"{probe.drawn_at_ms:013d}#{probe.probe_id}"
        return item


# ---------------------------------------------------------------------------------------
# Transparency: reads captured in a period
# ---------------------------------------------------------------------------------------


def reads_counter(table_name: str, region: str, client=None) -> Callable[[int, int], int]:
    """Counts reads captured in a period with one filtered COUNT scan of the reads table.

    Linear in the table's size, not the period's: fine for an occasional report; a daily
    counter maintained by ingest is the way to make it cheap (docs/accountability.md).
    """
    ddb = client or boto3.client("dynamodb", region_name=region)

    def count(start_ms: int, end_ms: int) -> int:
        total = 0
        try:
            for page in ddb.get_paginator("scan").paginate(
                TableName=table_name,
                Select="COUNT",
                FilterExpression="capture_ms BETWEEN :a AND :b",
                ExpressionAttributeValues={":a": {"N": str(start_ms)}, ":b": {"N": str(end_ms)}},
            ):
                total += page["Count"]
        except ClientError as exc:
            raise StorageError(f"reads count failed: {exc}") from exc
        return total

    return count


def alert_counter(table_name: str, region: str, client=None) -> Callable[[int, int], AlertFigures]:
    """Alerts raised (created) in a period, and acknowledgements made in it by outcome, from
    the Alerts table (one scan of its alert items: ``pk = "A#{alert_id}"``, JSON ``doc``).

    Alerts expire with the reads' retention, so periods within it are complete.
    """
    ddb = client or boto3.client("dynamodb", region_name=region)

    def count(start_ms: int, end_ms: int) -> AlertFigures:
        raised, outcomes = 0, Counter()
        zones: dict[str, dict[str, int]] = {}
        try:
            for page in ddb.get_paginator("scan").paginate(
                TableName=table_name,
                FilterExpression="begins_with(pk, :a)",
                ExpressionAttributeValues={":a": {"S": "A#"}},
                ProjectionExpression="pk, doc",
            ):
                for item in page["Items"]:
                    doc = json.loads(item["doc"]["S"])
                    ack = doc.get("acknowledgement") or {}
                    if start_ms <= int(doc.get("created_ms", -1)) <= end_ms:
                        raised += 1
                        zone = zones.setdefault(
                            str(doc.get("feed_zone") or "unknown"), {"raised": 0, "closed": 0}
                        )
                        zone["raised"] += 1
                        zone["closed"] += bool(ack)
                    if ack and start_ms <= int(ack.get("at_ms", -1)) <= end_ms:
                        outcomes[str(ack.get("outcome", "unspecified"))] += 1
        except ClientError as exc:
            raise StorageError(f"alerts count failed: {exc}") from exc
        return AlertFigures(raised=raised, by_outcome=dict(outcomes), by_zone=follow_up_by_zone(zones))

    return count
