"""Shared helpers for the analytics tests: sightings as the ingest path stores them."""

from __future__ import annotations

from anpr.reads.models import PlateRead
from anpr.search.models import Sighting

HOUR = 3_600_000
DAY = 24 * HOUR


def plate_read(s: Sighting, retention_days: int = 365) -> PlateRead:
    """A sighting as the ingest path stores it (the same fields the search tests use)."""
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
