"""Fakes of the ingest ports (same contracts as the adapters)."""

from __future__ import annotations

from dataclasses import dataclass, field

from anpr.ingest.quarantine import _reason_document, outcome_document, outcome_key, reason_key
from anpr.ingest.snapshots import ObjectMissing, SnapshotHead
from anpr.kernel.clock import Clock
from anpr.reads.models import QuarantineReason, SnapshotRef


class InMemorySnapshotStore:
    def __init__(self):
        self.objects: dict[tuple[str, str], tuple[bytes, dict[str, str]]] = {}

    def add(self, bucket: str, key: str, body: bytes, metadata: dict[str, str]) -> SnapshotRef:
        self.objects[(bucket, key)] = (body, {k.lower(): v for k, v in metadata.items()})
        return SnapshotRef(bucket=bucket, key=key, size=len(body), etag=str(hash(body)))

    def head(self, ref: SnapshotRef) -> SnapshotHead:
        if (ref.bucket, ref.key) not in self.objects:
            raise ObjectMissing(ref.key)
        body, meta = self.objects[(ref.bucket, ref.key)]
        return SnapshotHead(size=len(body), metadata=meta, etag=ref.etag, version_id=None)

    def get(self, ref: SnapshotRef) -> bytes:
        if (ref.bucket, ref.key) not in self.objects:
            raise ObjectMissing(ref.key)
        return self.objects[(ref.bucket, ref.key)][0]

    def put_crop(self, bucket: str, key: str, body: bytes, metadata: dict[str, str]) -> None:
        self.objects[(bucket, key)] = (body, metadata)


@dataclass
class InMemoryQuarantineStore:
    entries: list[dict] = field(default_factory=list)
    outcomes: list[dict] = field(default_factory=list)
    clock: Clock = lambda: 0

    def quarantine(
        self, ref: SnapshotRef, reason: QuarantineReason, detail: str, keep_object: bool = True
    ) -> str:
        self.entries.append(
            {**_reason_document(ref, reason, detail, self.clock()), "kept_object": keep_object}
        )
        return reason_key(reason, ref.key)

    def quarantine_event(self, message_id: str, body: str, detail: str) -> str:
        self.entries.append(
            {"reason": QuarantineReason.MALFORMED_EVENT.value, "detail": detail, "body": body}
        )
        return f"{QuarantineReason.MALFORMED_EVENT.value}/{message_id}.json"

    def record_outcome(self, ref: SnapshotRef, outcome: dict) -> str:
        self.outcomes.append(outcome_document(ref, outcome, self.clock()))
        return outcome_key(ref.key)

    def reasons(self) -> list[str]:
        return [e["reason"] for e in self.entries]
