"""Watchlist entries, matches and alerts: the domain objects of real-time alerting."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from anpr.reads.plates import normalise

NATIONAL = "national"


class Category(StrEnum):
    STOLEN_VEHICLE = "stolen_vehicle"
    WANTED_PERSON = "wanted_person"
    MISSING_PERSON = "missing_person"
    TERRORISM = "terrorism"
    ORGANISED_CRIME = "organised_crime"
    OTHER = "other"


class Priority(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    def lowered(self) -> Priority:
        """One step down: a possible misread never outranks a certain read of the same entry."""
        return {Priority.HIGH: Priority.MEDIUM}.get(self, Priority.LOW)


class MatchKind(StrEnum):
    EXACT = "exact"
    POSSIBLE_MISREAD = "possible_misread"


class Outcome(StrEnum):
    STOPPED = "stopped"
    NOT_FOUND = "not_found"
    MISREAD = "misread"
    OTHER = "other"


def to_ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


class WatchlistEntryIn(BaseModel):
    """What a watchlist manager submits (REST body or one CSV line)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    plate: str = Field(min_length=1, max_length=16)
    country: str | None = Field(default=None, max_length=8, description="None: any country")
    category: Category
    priority: Priority = Priority.HIGH
    reason: str = Field(min_length=3, max_length=500)
    owning_unit: str = Field(min_length=1, max_length=100)
    handling_instructions: str = Field(default="", max_length=1000)
    valid_from: AwareDatetime | None = None  # None: from now
    expires: AwareDatetime  # mandatory: nobody stays listed by default
    zones: list[str] = Field(default_factory=lambda: [NATIONAL], min_length=1, max_length=50)

    @field_validator("plate")
    @classmethod
    def _plate(cls, v: str) -> str:
        n = normalise(v)
        if not 2 <= len(n) <= 10:
            raise ValueError("plate must have 2-10 letters or digits")
        return n

    @field_validator("country")
    @classmethod
    def _country(cls, v: str | None) -> str | None:
        return v.upper() if v else None

    @field_validator("zones")
    @classmethod
    def _zones(cls, v: list[str]) -> list[str]:
        zones = sorted({z.strip() for z in v if z.strip()})
        if not zones:
            raise ValueError("at least one zone, or 'national'")
        if NATIONAL in zones and len(zones) > 1:
            raise ValueError("'national' already covers every zone")
        return zones

    @model_validator(mode="after")
    def _window(self):
        if self.valid_from is not None and self.expires <= self.valid_from:
            raise ValueError("expires must be after valid_from")
        return self


class WatchlistEntry(WatchlistEntryIn):
    model_config = ConfigDict(extra="ignore", frozen=True)

    entry_id: str
    valid_from: AwareDatetime
    created_by: str = ""
    created_ms: int = 0
    updated_by: str = ""
    updated_ms: int = 0
    #: patrol outcomes "misread" recorded against this entry (a hint to review or narrow it)
    misread_count: int = 0
    #: exact-match alerts raised for it (listings fill it in from the Alerts table; not stored here)
    hit_count: int = 0

    @property
    def valid_from_ms(self) -> int:
        return to_ms(self.valid_from)

    @property
    def expires_ms(self) -> int:
        return to_ms(self.expires)

    @property
    def national(self) -> bool:
        return self.zones == [NATIONAL]

    def active_at(self, ms: int) -> bool:
        return self.valid_from_ms <= ms < self.expires_ms

    def covers_zone(self, zone: str) -> bool:
        return self.national or zone in self.zones


class Match(BaseModel):
    """One read against one entry."""

    model_config = ConfigDict(frozen=True)

    entry: WatchlistEntry
    kind: MatchKind
    #: what was read (the alert's plate); the entry's plate is entry.plate
    read_plate: str
    country_mismatch: bool = False

    @property
    def priority(self) -> Priority:
        return self.entry.priority if self.kind == MatchKind.EXACT else self.entry.priority.lowered()


class Sighting(BaseModel):
    """One read that raised or extended an alert: where, when, how sure, the evidence."""

    model_config = ConfigDict(frozen=True)

    read_id: str
    plate: str
    confidence: float
    country: str = "UNKNOWN"
    camera_id: str
    camera_name: str = ""
    zone: str
    lat: float
    lon: float
    heading: float | None = None
    direction: str | None = None
    capture_ms: int
    ingested_ms: int = 0
    snapshot_bucket: str
    snapshot_key: str
    crop_key: str | None = None
    #: where the plate text came from: "ocr" (our reader, on the snapshot) or "camera" (the
    #: camera's own metadata, no image evidence from us)
    source: str = "ocr"

    @property
    def image_evidence(self) -> bool:
        """Our OCR read the plate on the image: the read is evidence, not a claim of the camera."""
        return self.source == "ocr"


#: "late": a listed plate seen in a capture older than the freshness limit; recorded, never
#: published and never in the patrol feed (it is not a live sighting)
AlertStatus = Literal["open", "acknowledged", "late"]


class Acknowledgement(BaseModel):
    model_config = ConfigDict(frozen=True)

    outcome: Outcome
    comment: str = ""
    by_id: str
    by_name: str = ""
    at_ms: int


class Claim(BaseModel):
    """An officer said "I'm on it": every officer of the zone sees who took it."""

    model_config = ConfigDict(frozen=True)

    by_id: str
    by_name: str = ""
    at_ms: int


class Alert(BaseModel):
    """A listed plate seen: one per (entry, read plate) per dedupe window, updated by sightings."""

    model_config = ConfigDict(frozen=True)

    alert_id: str
    entry_id: str
    entry_plate: str
    plate: str  # as read
    match_kind: MatchKind
    priority: Priority
    category: Category
    reason: str
    handling_instructions: str = ""
    owning_unit: str = ""
    entry_country: str | None = None
    country_mismatch: bool = False
    national: bool = False
    #: no sighting carries image evidence (camera-supplied metadata alone): never high priority
    unverified: bool = False
    #: the zone whose feed it is in: the latest sighting's zone, or "national"
    feed_zone: str
    status: AlertStatus = "open"
    #: newest last; capped (sighting_count keeps the total)
    sightings: tuple[Sighting, ...]
    sighting_count: int = 1
    created_ms: int
    published_ms: int | None = None
    sent_count: int = 0
    last_sent_ms: int | None = None
    acknowledgement: Acknowledgement | None = None
    #: who is handling it (before it is closed with an outcome)
    claim: Claim | None = None
    #: when an unclaimed high-priority alert was escalated to the zone's supervisor and dispatch
    escalated_ms: int | None = None
    #: when the re-sender should look at it next (unpublished, or open and high priority)
    next_due_ms: int | None = None
    version: int | None = None  # optimistic locking in the store
    expires_at: int = 0  # epoch seconds: the reads' retention (DynamoDB TTL)

    @property
    def first(self) -> Sighting:
        return self.sightings[0]

    @property
    def latest(self) -> Sighting:
        return self.sightings[-1]

    @property
    def published(self) -> bool:
        return self.published_ms is not None

    @property
    def zones_seen(self) -> frozenset[str]:
        """The zones of its kept sightings (the car may have crossed several)."""
        return frozenset(s.zone for s in self.sightings)

    @property
    def target_zones(self) -> list[str]:
        """The ``zone`` message attribute: where it was seen, plus every zone for national entries."""
        zones = [self.latest.zone]
        return [*zones, NATIONAL] if self.national else zones


MAX_SIGHTINGS = 50


def alert_id_for(entry_id: str, plate: str, first_read_id: str) -> str:
    """Deterministic: a retried read raises the same alert id (a conditional put never doubles)."""
    return hashlib.sha1(f"{entry_id}#{plate}#{first_read_id}".encode()).hexdigest()[:24]


def rank(match_kind: MatchKind, entry: WatchlistEntry, verified: bool) -> Priority:
    """An alert's priority: the entry's, one step lower for a possible misread, and never high
    on camera-supplied metadata alone (issue 11, finding 10)."""
    priority = entry.priority if match_kind == MatchKind.EXACT else entry.priority.lowered()
    return Priority.MEDIUM if priority == Priority.HIGH and not verified else priority


def new_alert(match: Match, sighting: Sighting, now_ms: int) -> Alert:
    e = match.entry
    return Alert(
        alert_id=alert_id_for(e.entry_id, match.read_plate, sighting.read_id),
        entry_id=e.entry_id,
        entry_plate=e.plate,
        plate=match.read_plate,
        match_kind=match.kind,
        priority=rank(match.kind, e, sighting.image_evidence),
        unverified=not sighting.image_evidence,
        category=e.category,
        reason=e.reason,
        handling_instructions=e.handling_instructions,
        owning_unit=e.owning_unit,
        entry_country=e.country,
        country_mismatch=match.country_mismatch,
        national=e.national,
        feed_zone=NATIONAL if e.national else sighting.zone,
        sightings=(sighting,),
        created_ms=now_ms,
    )


def with_sighting(alert: Alert, sighting: Sighting) -> Alert | None:
    """The alert extended by ``sighting``; None when it already holds it (a retried read)."""
    if any(s.read_id == sighting.read_id for s in alert.sightings):
        return None
    ordered = sorted((*alert.sightings, sighting), key=lambda s: s.capture_ms)
    # keep the first (what raised it) and the newest ones
    kept = ordered if len(ordered) <= MAX_SIGHTINGS else [ordered[0], *ordered[-(MAX_SIGHTINGS - 1) :]]
    return alert.model_copy(
        update={
            "sightings": tuple(kept),
            "sighting_count": alert.sighting_count + 1,
            # the feed follows the car: the zone of its latest sighting
            "feed_zone": NATIONAL if alert.national else kept[-1].zone,
        }
    )
