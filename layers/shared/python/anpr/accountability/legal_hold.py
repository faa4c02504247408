"""Legal hold: an investigator keeps specific reads and their images past retention.

Placing a hold (case reference, reason, and past the administrative window a prosecutor's
decision — the same rules as a search, ``anpr.accountability.justification``) does, per read:

- DynamoDB: ``REMOVE expires_at`` (TTL and the local sweep skip it), ``legal_hold = hold_id``,
  the original expiry kept in ``held_expires_at``;
- S3: the snapshot and crop are copied, same keys, into the HeldEvidence bucket (no
  lifecycle expiry) and the read's ``snapshot_bucket`` points there, the original kept in
  ``held_snapshot_bucket``. The Snapshots bucket's lifecycle stays simple and untouched.

Releasing restores ``expires_at`` and ``snapshot_bucket`` (a read already past its expiry is
then swept as usual) and deletes the evidence copies — unless another active hold still
covers the read. Both are audited (``legal_hold.placed`` / ``legal_hold.released``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Literal, Protocol

import boto3
from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from pydantic import BaseModel, Field

from anpr.accountability.justification import Justification, check_access
from anpr.kernel.audit import AuditEvent, AuditTrail
from anpr.kernel.auth import Caller
from anpr.kernel.db import StorageError
from anpr.kernel.errors import BadRequest, Conflict, NotFound
from anpr.reads import keys

log = logging.getLogger(__name__)


class ReadRef(BaseModel):
    read_id: str = Field(min_length=1, max_length=64)
    capture_ms: int = Field(gt=0)


class PlaceHold(BaseModel):
    case_ref: str = ""
    reason: str = ""
    prosecutor_ref: str | None = None
    reads: list[ReadRef] = Field(min_length=1, max_length=500)


class ReleaseHold(BaseModel):
    reason: str = Field(min_length=10, max_length=2000)


class HeldRead(BaseModel):
    read_id: str
    capture_ms: int
    plate: str
    #: the TTL the read had before the hold (restored on release)
    original_expires_at: int | None = None
    images_held: bool = True


class LegalHold(BaseModel):
    hold_id: str
    case_ref: str
    reason: str
    prosecutor_ref: str | None = None
    placed_by: str
    placed_by_name: str = ""
    placed_at_ms: int
    status: Literal["active", "released"] = "active"
    released_by: str | None = None
    released_at_ms: int | None = None
    release_reason: str | None = None
    reads: list[HeldRead] = []


# ---------------------------------------------------------------------------------------
# Ports
# ---------------------------------------------------------------------------------------


class HoldableReads(Protocol):
    def hold(self, ref: ReadRef, hold_id: str) -> HeldRead | None:
        """Take the read out of retention; None if it does not exist (any more)."""

    def release(self, held: HeldRead, still_held_by: str | None) -> None:
        """Give the read back to retention, or hand it to another active hold."""


class HoldStore(Protocol):
    def put(self, hold: LegalHold) -> None: ...

    def get(self, hold_id: str) -> LegalHold | None: ...

    def save_released(self, hold: LegalHold) -> None: ...

    def list(self) -> list[LegalHold]: ...

    def active_holds_for(self, read_id: str) -> list[str]: ...


# ---------------------------------------------------------------------------------------
# The service
# ---------------------------------------------------------------------------------------


class LegalHoldService:
    def __init__(
        self,
        store: HoldStore,
        reads: HoldableReads,
        trail: AuditTrail,
        clock: Callable[[], int],
        admin_window_days: int = 30,
        retention_days: int = 365,
    ):
        self.store, self.reads, self.trail, self.clock = store, reads, trail, clock
        self.admin_window_days, self.retention_days = admin_window_days, retention_days

    def place(self, caller: Caller, request: PlaceHold) -> LegalHold:
        now = self.clock()
        oldest = min(r.capture_ms for r in request.reads)
        j = check_access(
            caller,
            Justification(request.case_ref, request.reason, request.prosecutor_ref),
            oldest_ms=oldest,
            now_ms=now,
            admin_window_days=self.admin_window_days,
            retention_days=self.retention_days,
        )
        hold_id = f"LH-{uuid.uuid4().hex[:16]}"
        held: list[HeldRead] = []
        missing: list[str] = []
        for ref in {r.read_id: r for r in request.reads}.values():
            result = self.reads.hold(ref, hold_id)
            (held.append(result) if result else missing.append(ref.read_id))
        if not held:
            raise NotFound("none of these reads exists (any more): nothing was held")
        hold = LegalHold(
            hold_id=hold_id,
            case_ref=j.case_ref,
            reason=j.reason,
            prosecutor_ref=j.prosecutor_ref,
            placed_by=caller.user_id,
            placed_by_name=caller.username,
            placed_at_ms=now,
            reads=held,
        )
        self.store.put(hold)
        self.trail.record(
            AuditEvent.by(
                caller,
                "legal_hold.placed",
                resource=f"legal-hold/{hold_id}",
                plates=sorted({h.plate for h in held}),
                case_ref=j.case_ref,
                reason=j.reason,
                prosecutor_ref=j.prosecutor_ref,
                detail={"read_ids": [h.read_id for h in held], "not_found": missing},
                at_ms=now,
            )
        )
        return hold

    def release(self, caller: Caller, hold_id: str, request: ReleaseHold) -> LegalHold:
        hold = self.get(hold_id)
        if hold.status != "active":
            raise Conflict(f"hold {hold_id} was already released")
        now = self.clock()
        released = hold.model_copy(
            update={
                "status": "released",
                "released_by": caller.user_id,
                "released_at_ms": now,
                "release_reason": request.reason,
            }
        )
        self.store.save_released(released)
        for held in hold.reads:
            others = [h for h in self.store.active_holds_for(held.read_id) if h != hold_id]
            self.reads.release(held, others[0] if others else None)
        self.trail.record(
            AuditEvent.by(
                caller,
                "legal_hold.released",
                resource=f"legal-hold/{hold_id}",
                plates=sorted({h.plate for h in hold.reads}),
                case_ref=hold.case_ref,
                reason=request.reason,
                detail={"read_ids": [h.read_id for h in hold.reads]},
                at_ms=now,
            )
        )
        return released

    def get(self, hold_id: str) -> LegalHold:
        hold = self.store.get(hold_id)
        if hold is None:
            raise NotFound(f"no legal hold {hold_id}")
        return hold

    def list(self, status: str | None = None) -> list[LegalHold]:
        if status not in (None, "active", "released"):
            raise BadRequest("status must be active or released")
        return [h for h in self.store.list() if status is None or h.status == status]


# ---------------------------------------------------------------------------------------
# DynamoDB + S3
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
                self._s3.delete_object(Bucket=self.evidence_bucket, Key=k)
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

    def _copy_images(self, source_bucket: str, item: dict) -> bool:
        """True if every image is in the evidence bucket (an expired original cannot be)."""
        complete = True
        for k in self._image_keys(item):
            try:
                self._s3.copy_object(
                    Bucket=self.evidence_bucket, Key=k, CopySource={"Bucket": source_bucket, "Key": k},
                    MetadataDirective="COPY",
                )  # fmt: skip
            except ClientError as exc:
                if exc.response["Error"]["Code"] in ("NoSuchKey", "404"):
                    complete = False
                    continue
                raise StorageError(f"evidence copy failed: {exc}") from exc
        return complete
