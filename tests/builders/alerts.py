"""Builders for the alerts concern's tests: a caller, a watchlist entry, a plate read."""

from __future__ import annotations

from anpr.alerts.models import Category, Priority, WatchlistEntry, from_ms
from anpr.kernel.auth import Caller
from anpr.reads.models import PlateRead

from tests.helpers import NOW_MS

ZONE = "BXL-5339"
OTHER_ZONE = "BXL-5342"


def caller(name: str = "mia", *groups: str, zones: tuple[str, ...] = (ZONE,)) -> Caller:
    """A person in ``zones`` (identity claim ``custom:zones``; "national": every zone)."""
    return Caller(
        user_id=f"sub-{name}",
        username=name,
        groups=frozenset(groups or ("watchlist_manager",)),
        zones=frozenset(zones),
    )


def entry(plate: str = "1ABC234", entry_id: str | None = None, **kw) -> WatchlistEntry:
    base = {
        "entry_id": entry_id or f"e-{plate}",
        "plate": plate,
        "category": Category.STOLEN_VEHICLE,
        "priority": Priority.HIGH,
        "reason": "stolen 2026-11-01, Ixelles",
        "owning_unit": "PZ Bruxelles-Capitale/Ixelles",
        "handling_instructions": "Do not stop alone: request backup.",
        "valid_from": from_ms(NOW_MS - 86_400_000),
        "expires": from_ms(NOW_MS + 30 * 86_400_000),
        "zones": ["national"],
    }
    base.update(kw)
    return WatchlistEntry(**base)


def read(
    plate: str = "1ABC234", read_id: str | None = None, capture_ms: int = NOW_MS - 1000, **kw
) -> PlateRead:
    base = {
        "read_id": read_id or f"r-{plate}-{capture_ms}",
        "plate": plate,
        "raw_text": plate,
        "confidence": 0.93,
        "country": "BE",
        "bbox": (100, 150, 120, 30),
        "camera_id": "BRU-001",
        "zone": ZONE,
        "capture_ms": capture_ms,
        "lat": 50.8466,
        "lon": 4.3644,
        "heading": 90.0,
        "snapshot_bucket": "snaps",
        "snapshot_key": f"snapshots/BRU-001/{capture_ms}.jpg",
        "crop_key": f"crops/BRU-001/{capture_ms}_plate0.jpg",
        "ingested_ms": capture_ms + 500,
        "expires_at": capture_ms // 1000 + 365 * 86_400,
    }
    base.update(kw)
    return PlateRead(**base)
