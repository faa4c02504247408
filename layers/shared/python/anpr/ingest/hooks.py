"""What ingest tells and asks the networks concern (ports; adapters in ``anpr.networks``).

All optional: a stage (or a test) without networks ingests exactly as before.

- ``ZoneLookup``: the police zone at a mobile camera's GPS position at capture.
- ``ActivityRecorder``: the camera sent a valid snapshot (the silence watch's data).
- ``IngestObserver``: per-network outcomes for ops — refused (a key under another network's
  prefix), quarantined by reason, stored (upload→read latency, confidence, disagreements).
- ``DisagreementStore``: our reading and the camera's differ, for that network's operator.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

from pydantic import BaseModel


class ZoneLookup(Protocol):
    def zone_at(self, lat: float, lon: float) -> str | None: ...


class UploadLatency(NamedTuple):
    """A stored snapshot's upload→read latency, and when its reads were stored."""

    upload_to_read_ms: float
    read_ms: int


class ActivityRecorder(Protocol):
    def record(
        self, camera_id: str, network: str, capture_ms: int, upload: UploadLatency | None = None
    ) -> None:
        """A valid snapshot; its upload→read latency where the upload time is known."""
        ...


class IngestObserver(Protocol):
    def refused(self, network: str, camera_id: str, key: str, reason: str, detail: str) -> None:
        """An upload under ``network``'s prefix by a camera that is not in it."""
        ...

    def quarantined(self, network: str, reason: str) -> None: ...

    def stored(
        self, network: str, upload_to_read_ms: float | None, confidence: float | None, disagreements: int
    ) -> None: ...


class Disagreement(BaseModel):
    """One read where our OCR and the camera disagree; plates masked (the operator checks its
    camera, not the vehicle: the read itself is behind the reads API's justification)."""

    network: str
    camera_id: str
    read_id: str
    capture_ms: int
    ours_masked: str
    ours_confidence: float
    camera_masked: str
    camera_confidence: float | None = None
    snapshot_key: str
    expires_at: int  # epoch seconds, the read's retention


class DisagreementStore(Protocol):
    def put(self, disagreement: Disagreement) -> None: ...

    def list(self, network: str, since_ms: int, limit: int = 200) -> list[Disagreement]: ...
