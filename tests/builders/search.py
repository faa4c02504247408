"""Builders for the search concern's tests."""

from __future__ import annotations

from anpr.reads.models import PlateRead


def plate_read(s, retention_days: int = 365) -> PlateRead:
    """The stored read of a synthetic sighting (``anpr.search.synthetic``)."""
    return PlateRead(
        read_id=s.read_id,
        plate=s.plate,
        raw_text=s.plate,
        confidence=s.confidence,
        country="BE",
        bbox=(1, 2, 3, 4),
        alternatives=s.alternatives,
        camera_id=s.camera_id,
        zone=s.zone,
        capture_ms=s.capture_ms,
        lat=s.lat,
        lon=s.lon,
        snapshot_bucket="snapshots",
        snapshot_key=s.snapshot_key,
        ingested_ms=s.capture_ms + 500,
        expires_at=s.capture_ms // 1000 + retention_days * 86_400,
    )
