"""Accountability's ports: what the services need from storage (adapters: ``adapters``,
in-memory fakes: ``tests/fakes/accountability.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from anpr.accountability.models import AuditRecord, HeldRead, LegalHold, Probe, ProbeStatus, ReadRef


class AuditReader(Protocol):
    def records(self, start_seq: int = 1) -> Iterator[AuditRecord]: ...

    def by_plate(self, plate: str) -> list[AuditRecord]: ...

    def by_actor(self, actor_id: str, start_ms: int, end_ms: int) -> list[AuditRecord]: ...

    def between(self, start_ms: int, end_ms: int) -> list[AuditRecord]: ...


class AuditArchive(Protocol):
    def put(self, record: AuditRecord) -> None: ...

    def records(self) -> Iterator[AuditRecord]: ...


class AuditIndex(Protocol):
    """What the reports read besides the chain: the per-plate pointer items (``verify``
    checks them both ways). Records from ``records()`` carry their stored index attributes."""

    def pointers(self) -> Iterator[tuple[str, int]]:
        """Every (plate, seq) pointer item."""
        ...


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


class ProbeStore(Protocol):
    def add(self, probe: Probe) -> bool:
        """False if a probe for that search exists already (draws are idempotent)."""

    def get(self, probe_id: str) -> Probe | None: ...

    def save(self, probe: Probe, expected_status: ProbeStatus | tuple[ProbeStatus, ...]) -> None:
        """Replace ``probe`` if its stored status is still one of ``expected_status``, else Conflict."""

    def by_status(self, status: ProbeStatus) -> list[Probe]: ...

    def period_drawn(self, start_ms: int, end_ms: int) -> bool: ...

    def mark_period_drawn(self, start_ms: int, end_ms: int) -> None: ...
