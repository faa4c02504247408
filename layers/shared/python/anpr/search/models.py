"""Search queries, jobs, sightings and results."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, model_validator

from anpr.kernel.clock import DAY_MS
from anpr.kernel.errors import BadRequest
from anpr.reads.plates import normalise

#: the longest range one search may cover (retention is at most 12 months)
MAX_SPAN_MS = 400 * DAY_MS
#: a window may end this far after "now" (clock skew between the investigator and the API)
FUTURE_SKEW_MS = 5 * 60_000
#: characters a plate or a pattern may hold besides letters and digits: separators people type
SEPARATORS = " -.·"
#: the longest run of known characters a partial pattern needs (it is pushed down as contains())
MIN_LITERAL_RUN = 2


def _to_ms(v: Any) -> Any:
    """Accept epoch milliseconds or an ISO-8601 timestamp (with offset, or Z)."""
    if isinstance(v, str) and not v.strip().lstrip("-").isdigit():
        dt = datetime.fromisoformat(v.strip())
        if dt.tzinfo is None:
            raise ValueError("timestamps need a UTC offset, e.g. 2026-11-18T10:00:00Z")
        return int(dt.timestamp() * 1000)
    return v


def _plate(v: Any) -> Any:
    """Refuse what is not a plate rather than silently turning it into another one."""
    if not isinstance(v, str):
        return v
    bad = sorted({ch for ch in v if not (ch.isascii() and ch.isalnum()) and ch not in SEPARATORS})
    if bad:
        raise ValueError(
            f"a plate holds Latin letters A-Z, digits and separators ({SEPARATORS!r}) only; "
            f"not {''.join(bad)!r}"
        )
    return normalise(v)


Millis = Annotated[int, BeforeValidator(_to_ms), Field(gt=1_000_000_000_000, lt=10_000_000_000_000)]
Plate = Annotated[str, BeforeValidator(_plate), Field(min_length=2, max_length=12)]
CameraId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class _Window(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    start_ms: Millis
    end_ms: Millis

    @model_validator(mode="after")
    def _ordered(self):
        if self.end_ms <= self.start_ms:
            raise ValueError("end_ms must be after start_ms")
        if self.end_ms - self.start_ms > MAX_SPAN_MS:
            raise ValueError("a search covers at most 400 days")
        return self


class Circle(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    radius_m: float = Field(gt=0, le=50_000)


class Place(_Window):
    """Where and when: named cameras, or an area (circle or polygon of [lat, lon] points)."""

    cameras: list[CameraId] = Field(default_factory=list, max_length=500)
    circle: Circle | None = None
    polygon: list[tuple[float, float]] | None = Field(default=None, min_length=3, max_length=200)

    @model_validator(mode="after")
    def _one_place(self):
        given = sum(bool(x) for x in (self.cameras, self.circle, self.polygon))
        if given != 1:
            raise ValueError("give exactly one of cameras, circle or polygon")
        return self


class TrajectoryQuery(_Window):
    type: Literal["trajectory"] = "trajectory"
    plate: Plate
    #: also follow the plates one look-alike swap away (8↔B, 0↔O...): misreads of this car
    include_lookalikes: bool = False


WILDCARD = re.compile(r"^[A-Z0-9?*]+$")


class PartialQuery(_Window):
    type: Literal["partial"] = "partial"
    #: ``?`` one character, ``*`` any run; separators are ignored ("1-AB?-2*" → "1AB?2*")
    pattern: str = Field(min_length=2, max_length=16)
    cameras: list[CameraId] = Field(default_factory=list, max_length=500)
    zones: list[str] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _pattern(self):
        object.__setattr__(self, "pattern", check_pattern(self.pattern))
        return self


def check_pattern(raw: str) -> str:
    """``raw`` without separators, upper-case; ``ValueError`` saying what is wrong otherwise.

    Nothing is dropped silently: ``1-AB[`` or ``ÄÖÜ123`` would otherwise search other plates."""
    bad = sorted({ch for ch in raw if not (ch.isascii() and ch.isalnum()) and ch not in "?*" + SEPARATORS})
    if bad:
        raise ValueError(
            f"pattern: Latin letters A-Z, digits, ? (one character), * (any run) and separators only; "
            f"not {''.join(bad)!r}"
        )
    p = "".join(ch for ch in raw.upper() if ch not in SEPARATORS)
    if not p:
        raise ValueError("pattern: empty")
    if not WILDCARD.match(p):  # pragma: no cover - the character check above is stricter
        raise ValueError("pattern: letters, digits, ? and * only")
    run = max(re.split(r"[?*]", p), key=len)
    if len(run) < MIN_LITERAL_RUN:
        raise ValueError(
            f"pattern: give at least {MIN_LITERAL_RUN} known characters in a row "
            f"(e.g. 1AB*), not only wildcards or single characters between them"
        )
    if len(p.replace("*", "")) > 12:
        raise ValueError("pattern: a plate has at most 12 characters")
    return p


class PlaceQuery(Place):
    type: Literal["place"] = "place"


class ABQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["ab"] = "ab"
    a: Place
    b: Place

    @property
    def start_ms(self) -> int:
        return min(self.a.start_ms, self.b.start_ms)

    @property
    def end_ms(self) -> int:
        return max(self.a.end_ms, self.b.end_ms)


class ConvoyQuery(_Window):
    type: Literal["convoy"] = "convoy"
    plate: Plate
    #: ±Δt around each sighting of the target
    window_s: int = Field(default=120, ge=5, le=1800)
    #: K: a partner must co-occur at this many distinct cameras
    min_cameras: int = Field(default=3, ge=2, le=50)
    #: control windows: the same camera and time of day on this many previous days (commuters)
    control_days: int = Field(default=3, ge=0, le=14)
    #: bound on the fan-out: the target's most recent sightings kept
    max_sightings: int = Field(default=500, ge=1, le=5000)


SearchQuery = Annotated[
    TrajectoryQuery | PartialQuery | PlaceQuery | ABQuery | ConvoyQuery, Field(discriminator="type")
]
QUERY = TypeAdapter(SearchQuery)
SEARCH_TYPES = ("trajectory", "partial", "place", "ab", "convoy")


def parse_query(search_type: str, params: dict) -> SearchQuery:
    return QUERY.validate_python({**params, "type": search_type})


def oldest_ms(query) -> int:
    """The oldest read this query may touch: every window it opens counts.

    A convoy reads ±``window_s`` around each sighting of the target (the earliest sighting may
    sit at ``start_ms``) and the same windows ``control_days`` earlier; an A-and-B search reads
    both places' windows."""
    if isinstance(query, ConvoyQuery):
        return query.start_ms - query.control_days * DAY_MS - query.window_s * 1000
    if isinstance(query, ABQuery):
        return min(query.a.start_ms, query.b.start_ms)
    return query.start_ms


def declared_ends(query) -> list[int]:
    """The ends of the windows the investigator typed (A-and-B: both places)."""
    if isinstance(query, ABQuery):
        return [query.a.end_ms, query.b.end_ms]
    return [query.end_ms]


def check_not_future(query, now_ms: int) -> None:
    """A window that ends in the future (beyond a little clock skew) is a mistake: refuse it."""
    latest = max(declared_ends(query))
    if latest > now_ms + FUTURE_SKEW_MS:
        when = datetime.fromtimestamp(latest / 1000, tz=UTC).isoformat(timespec="minutes")
        raise BadRequest(
            f"the search window ends in the future ({when.replace('+00:00', 'Z')}); "
            "reads exist only up to now — give an end time in the past"
        )


def named_plates(query) -> list[str]:
    """Plates the investigator typed (for the audit trail)."""
    return [query.plate] if isinstance(query, TrajectoryQuery | ConvoyQuery) else []


class SubmitRequest(BaseModel):
    """POST /searches body."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["trajectory", "partial", "place", "ab", "convoy"]
    params: dict
    case_ref: str = Field(default="", max_length=64)
    reason: str = Field(default="", max_length=1000)
    prosecutor_ref: str | None = Field(default=None, max_length=64)


class JobStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


TERMINAL = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})


class SearchJob(BaseModel):
    """One search, as kept in the Searches table."""

    job_id: str
    type: str
    query: dict  # the validated query, JSON
    owner_id: str
    owner_name: str = ""
    owner_groups: list[str] = []
    case_ref: str
    reason: str
    prosecutor_ref: str | None = None
    status: JobStatus = JobStatus.QUEUED
    submitted_ms: int
    started_ms: int | None = None
    finished_ms: int | None = None
    partitions_total: int = 0
    partitions_done: int = 0
    result_count: int = 0
    error: str | None = None
    execution_arn: str | None = None
    expires_at: int = 0  # epoch seconds (DynamoDB TTL)
    #: what the API expected it to cost before it ran: partitions, read_units, items, engine
    estimate: dict = {}

    def parsed(self):
        return parse_query(self.type, {k: v for k, v in self.query.items() if k != "type"})

    def public(self) -> dict:
        """GET /searches/{id}: the job without internals."""
        total = self.partitions_total
        return {
            "job_id": self.job_id,
            "type": self.type,
            "status": self.status.value,
            "query": self.query,
            "owner": self.owner_name or self.owner_id,
            "case_ref": self.case_ref,
            "reason": self.reason,
            "prosecutor_ref": self.prosecutor_ref,
            "submitted_ms": self.submitted_ms,
            "started_ms": self.started_ms,
            "finished_ms": self.finished_ms,
            "progress": {
                "partitions_total": total,
                "partitions_done": min(self.partitions_done, total),
                "percent": round(100 * min(self.partitions_done, total) / total, 1) if total else 0.0,
            },
            "result_count": self.result_count,
            "error": self.error,
            "estimate": self.estimate,
        }

    def provenance(self, finished_ms: int | None = None) -> dict:
        """Written into every result file: the query, who ran it, when, for which case."""
        return {
            "job_id": self.job_id,
            "type": self.type,
            "query": self.query,
            "run_by": {"user_id": self.owner_id, "username": self.owner_name},
            "case_ref": self.case_ref,
            "reason": self.reason,
            "prosecutor_ref": self.prosecutor_ref,
            "submitted_ms": self.submitted_ms,
            "finished_ms": finished_ms or self.finished_ms,
        }


SIGHTING_FIELDS = (
    "read_id",
    "plate",
    "capture_ms",
    "camera_id",
    "zone",
    "lat",
    "lon",
    "confidence",
    "alternatives",
    "snapshot_key",
)


class Sighting(BaseModel):
    """One read as searches use it (a projection of ``PlateRead``)."""

    model_config = ConfigDict(frozen=True)

    read_id: str
    plate: str
    capture_ms: int
    camera_id: str
    zone: str = ""
    lat: float = 0.0
    lon: float = 0.0
    confidence: float = 1.0
    alternatives: tuple[str, ...] = ()
    snapshot_key: str = ""
    #: which part of the plan found it: "a"/"b" (seen at A and B), "target", "w:<read>" (convoy
    #: window around the target's read), "c:<read>:<day>" (convoy control window)
    tag: str = ""

    @classmethod
    def from_read(cls, r, tag: str = "") -> Sighting:
        """The read's ``SIGHTING_FIELDS``, by name (``PlateRead`` or any object that has them)."""
        return cls(**{f: getattr(r, f) for f in SIGHTING_FIELDS}, tag=tag)

    def tagged(self, tag: str) -> Sighting:
        return self.model_copy(update={"tag": tag})


class SearchResult(BaseModel):
    """What a search found: ranked items (vehicles or sightings) and the sightings behind them."""

    provenance: dict
    #: trajectory: one item per sighting, in time order; others: one item per vehicle, ranked
    items: list[dict]
    sightings: list[Sighting]
    summary: dict = {}

    def plates(self) -> list[str]:
        return sorted({s.plate for s in self.sightings})
