"""Domain objects: cameras, snapshots and their capture metadata, plate reads."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from anpr.reads.plates import normalise


class CameraKind(StrEnum):
    FIXED = "fixed"
    MOBILE = "mobile"


class CameraStatus(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"
    MAINTENANCE = "maintenance"


class Camera(BaseModel):
    model_config = ConfigDict(frozen=True)

    camera_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = ""
    kind: CameraKind = CameraKind.FIXED
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    heading: float | None = Field(default=None, ge=0, lt=360)
    road: str = ""
    municipality: str = ""
    zone: str = Field(min_length=1, description="police zone, e.g. 'BRU-NORD'")
    status: CameraStatus = CameraStatus.ACTIVE
    #: the operating network (anpr.networks); "" for cameras registered before networks existed
    network: str = ""
    lanes: int | None = Field(default=None, ge=1, le=12)


class QuarantineReason(StrEnum):
    """Machine-readable reasons a snapshot was not turned into reads."""

    TOO_LARGE = "too_large"
    MISSING_METADATA = "missing_metadata"
    INVALID_METADATA = "invalid_metadata"
    UNKNOWN_CAMERA = "unknown_camera"
    RETIRED_CAMERA = "retired_camera"
    FUTURE_CAPTURE = "future_capture"
    EXPIRED_CAPTURE = "expired_capture"
    NOT_AN_IMAGE = "not_an_image"
    CORRUPT_IMAGE = "corrupt_image"
    DUPLICATE_EVENT = "duplicate_event"
    OBJECT_MISSING = "object_missing"
    MALFORMED_EVENT = "malformed_event"
    #: an image, but not a format cameras send (JPEG, PNG): TIFF, GIF, WebP, BMP, EPS/PS...
    UNSUPPORTED_FORMAT = "unsupported_format"
    #: the queue message names another bucket, or a key outside snapshots/
    FOREIGN_OBJECT = "foreign_object"
    #: the camera in the key is not the camera-id in the metadata
    CAMERA_MISMATCH = "camera_mismatch"
    #: the key is under another network's prefix than the camera's (docs/networks.md)
    WRONG_NETWORK = "wrong_network"
    #: a camera-made read (JSON) that does not follow the documented format
    INVALID_CAMERA_READ = "invalid_camera_read"


class CaptureMetadata(BaseModel):
    """What a camera attaches to each snapshot (S3 user metadata, x-amz-meta-*).

    Header names are ``camera-id``, ``capture-ms``, ``lat``, ``lon``, ``heading``, ``lane``,
    ``direction``, ``camera-plate``, ``camera-plate-confidence``, ``camera-plate-country``.
    """

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    camera_id: str = Field(alias="camera-id", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    capture_ms: int = Field(alias="capture-ms", gt=1_000_000_000_000, lt=10_000_000_000_000)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    heading: float | None = Field(default=None, ge=0, lt=360)
    lane: int | None = Field(default=None, ge=0, le=20)
    direction: str | None = Field(default=None, max_length=32)
    camera_plate: str | None = Field(default=None, alias="camera-plate", max_length=16)
    camera_plate_confidence: float | None = Field(default=None, alias="camera-plate-confidence", ge=0, le=1)
    camera_plate_country: str | None = Field(default=None, alias="camera-plate-country", max_length=8)

    @field_validator("lat", "lon", "heading", "lane", "camera_plate_confidence", mode="before")
    @classmethod
    def _blank_is_none(cls, v):
        return None if v == "" else v

    def to_s3_metadata(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.model_dump(by_alias=True, exclude_none=True).items()}


#: the S3 user-metadata headers a camera sends (x-amz-meta-{name}), camera-id first
CAPTURE_HEADERS = tuple(f.alias or name for name, f in CaptureMetadata.model_fields.items())


class SnapshotRef(BaseModel):
    """One S3 object the ingest path was told about."""

    model_config = ConfigDict(frozen=True)

    bucket: str
    key: str
    size: int | None = None
    etag: str | None = None
    version_id: str | None = None
    #: when S3 stored it (the notification's eventTime): upload→read latency per network
    uploaded_ms: int | None = None

    @property
    def identity(self) -> str:
        """Stable across redeliveries of the same upload: bucket/key@version (or etag)."""
        return f"{self.bucket}/{self.key}@{self.version_id or self.etag or ''}"


class PlateRead(BaseModel):
    """One plate seen by one camera at one moment: the unit every search works on."""

    model_config = ConfigDict(frozen=True)

    read_id: str
    plate: str  # normalised A-Z0-9
    raw_text: str
    confidence: float = Field(ge=0, le=1)
    country: str = "UNKNOWN"
    bbox: tuple[int, int, int, int]
    alternatives: tuple[str, ...] = ()
    camera_id: str
    zone: str
    capture_ms: int
    lat: float
    lon: float
    heading: float | None = None
    lane: int | None = None
    direction: str | None = None
    snapshot_bucket: str
    snapshot_key: str
    crop_key: str | None = None
    source: Literal["ocr", "camera"] = "ocr"
    engine: str = ""
    ingested_ms: int
    expires_at: int  # epoch seconds: capture time + retention (DynamoDB TTL)
    legal_hold: str | None = None  # case reference keeping it past retention
    #: what the camera itself read, kept beside ours (camera-made reads, camera-plate metadata)
    camera_plate: str | None = None
    camera_confidence: float | None = Field(default=None, ge=0, le=1)
    camera_country: str | None = None
    #: our reading agrees with the camera's (None: the camera sent no reading)
    agree: bool | None = None

    @field_validator("plate")
    @classmethod
    def _normalised(cls, v: str) -> str:
        n = normalise(v)
        if not n:
            raise ValueError("empty plate")
        return n

    @property
    def captured_at(self) -> datetime:
        return datetime.fromtimestamp(self.capture_ms / 1000, tz=UTC)
