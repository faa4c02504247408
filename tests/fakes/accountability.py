"""Fakes of the accountability ports (same contracts as the adapters)."""

from __future__ import annotations

from collections.abc import Iterator

from anpr.accountability.models import (
    GENESIS,
    AuditRecord,
    HeldRead,
    LegalHold,
    Probe,
    ProbeStatus,
    ReadRef,
    event_body,
)
from anpr.accountability.models import in_period as _in
from anpr.kernel.audit import AuditEvent, stamped
from anpr.kernel.clock import Clock
from anpr.kernel.db import StorageError
from anpr.kernel.errors import Conflict
from anpr.reads.plates import normalise


class InMemoryProbeStore:
    def __init__(self):
        self.items: dict[str, Probe] = {}
        self.periods: set[tuple[int, int]] = set()

    def period_drawn(self, start_ms: int, end_ms: int) -> bool:
        return (start_ms, end_ms) in self.periods

    def mark_period_drawn(self, start_ms: int, end_ms: int) -> None:
        self.periods.add((start_ms, end_ms))

    def add(self, probe: Probe) -> bool:
        if probe.probe_id in self.items:
            return False
        self.items[probe.probe_id] = probe
        return True

    def get(self, probe_id: str) -> Probe | None:
        return self.items.get(probe_id)

    def save(self, probe: Probe, expected_status) -> None:
        expected = expected_status if isinstance(expected_status, tuple) else (expected_status,)
        current = self.items.get(probe.probe_id)
        if current is None or current.status not in expected:
            raise Conflict(f"probe {probe.probe_id} changed meanwhile")
        self.items[probe.probe_id] = probe

    def by_status(self, status: ProbeStatus) -> list[Probe]:
        return sorted((p for p in self.items.values() if p.status == status), key=lambda p: p.drawn_at_ms)


class InMemoryHoldStore:
    def __init__(self):
        self.items: dict[str, LegalHold] = {}

    def put(self, hold: LegalHold) -> None:
        self.items[hold.hold_id] = hold

    def get(self, hold_id: str) -> LegalHold | None:
        return self.items.get(hold_id)

    def save_released(self, hold: LegalHold) -> None:
        if self.items[hold.hold_id].status != "active":
            raise Conflict(f"hold {hold.hold_id} is already released")
        self.items[hold.hold_id] = hold

    def list(self) -> list[LegalHold]:
        return sorted(self.items.values(), key=lambda h: h.placed_at_ms)

    def active_holds_for(self, read_id: str) -> list[str]:
        return [
            h.hold_id
            for h in self.items.values()
            if h.status == "active" and any(r.read_id == read_id for r in h.reads)
        ]


class InMemoryHoldableReads:
    """Fake: reads as dicts {read_id: {"expires_at", "legal_hold", "plate", "capture_ms"}}."""

    def __init__(self, reads: dict[str, dict]):
        self.reads = reads

    def hold(self, ref: ReadRef, hold_id: str) -> HeldRead | None:
        r = self.reads.get(ref.read_id)
        if r is None:
            return None
        original = r.get("held_expires_at", r.get("expires_at"))
        r.update(legal_hold=hold_id, held_expires_at=original, expires_at=None)
        return HeldRead(
            read_id=ref.read_id, capture_ms=ref.capture_ms, plate=r["plate"], original_expires_at=original
        )

    def release(self, held: HeldRead, still_held_by: str | None) -> None:
        r = self.reads.get(held.read_id)
        if r is None:
            return
        if still_held_by:
            r["legal_hold"] = still_held_by
        else:
            r.update(legal_hold=None, expires_at=r.pop("held_expires_at", held.original_expires_at))


class InMemoryAuditStore:
    """Fake chained trail + reader for unit tests (``record`` returns the stored record)."""

    def __init__(self, clock: Clock = lambda: 0):
        self.chain: list[AuditRecord] = []
        self.archive = InMemoryAuditArchive()
        self.clock = clock

    def record(self, event: AuditEvent) -> AuditRecord:
        event = stamped(event, self.clock)
        prev = self.chain[-1].hash if self.chain else GENESIS
        rec = AuditRecord.build(len(self.chain) + 1, prev, event_body(event))
        self.chain.append(rec)
        self.archive.put(rec)
        return rec

    @property
    def events(self) -> list[AuditEvent]:
        return [r.event for r in self.chain]

    def records(self, start_seq: int = 1) -> Iterator[AuditRecord]:
        yield from (r for r in self.chain if r.seq >= start_seq)

    def by_plate(self, plate: str) -> list[AuditRecord]:
        p = normalise(plate)
        return [r for r in self.chain if p in {normalise(x) for x in r.event.plates}]

    def by_actor(self, actor_id: str, start_ms: int, end_ms: int) -> list[AuditRecord]:
        return [r for r in self.chain if r.event.actor_id == actor_id and _in(r, start_ms, end_ms)]

    def between(self, start_ms: int, end_ms: int) -> list[AuditRecord]:
        return [r for r in self.chain if _in(r, start_ms, end_ms)]


class InMemoryAuditArchive:
    def __init__(self):
        self.objects: dict[int, AuditRecord] = {}

    def put(self, record: AuditRecord) -> None:
        if record.seq in self.objects:
            raise StorageError(f"audit archive object {record.seq} already exists (write-once)")
        self.objects[record.seq] = record

    def records(self) -> Iterator[AuditRecord]:
        yield from (self.objects[k] for k in sorted(self.objects))


class InMemoryAuditTrail:
    """Fake for unit tests."""

    def __init__(self, clock: Clock = lambda: 0):
        self.events: list[AuditEvent] = []
        self.clock = clock

    def record(self, event: AuditEvent) -> None:
        self.events.append(stamped(event, self.clock))
