"""Networks, zones and the documents the networks API exchanges."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from anpr.reads.models import CameraKind

#: a network's code is also the first segment of its cameras' snapshot keys
NETWORK_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,31}$"
CAMERA_ID_PATTERN = r"^[A-Za-z0-9_-]+$"
ZONE_CODE_PATTERN = r"^[A-Z0-9][A-Z0-9-]{1,31}$"

#: what a camera may upload (presigned POST condition): a snapshot, or a camera-made read
#: (anpr.ocr.camera_read.CameraReadDocument, docs/networks.md "Camera-made reads")
UploadContentType = Literal["image/jpeg", "image/png", "application/json"]


class NetworkKind(StrEnum):
    REGION = "region"
    CITY = "city"
    MOTORWAY = "motorway"
    VEHICLES = "vehicles"  # a zone's (or the federal police's) police vehicles


class NetworkStatus(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"


class NetworkIn(BaseModel):
    """``POST /networks``: an operator and its police zone(s)."""

    model_config = ConfigDict(extra="forbid")

    network_id: str = Field(pattern=NETWORK_ID_PATTERN)
    name: str = Field(min_length=1, max_length=120)
    kind: NetworkKind
    contact: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    zones: list[str] = Field(min_length=1, max_length=300)

    @field_validator("zones")
    @classmethod
    def _zone_codes(cls, zones: list[str]) -> list[str]:
        import re

        bad = [z for z in zones if not re.match(ZONE_CODE_PATTERN, z)]
        if bad:
            raise ValueError(
                f"not zone codes: {bad[:5]} (capitals, digits and hyphens, as in the zones file)"
            )
        return sorted(set(zones))


class Network(NetworkIn):
    model_config = ConfigDict(extra="ignore", frozen=True)

    status: NetworkStatus = NetworkStatus.ACTIVE
    created_ms: int
    retired_ms: int | None = None
    #: the upload credential: its id (public) and a SHA-256 of its secret (never the secret)
    key_id: str | None = None
    key_hash: str | None = None

    def public(self) -> dict:
        out = self.model_dump(mode="json", exclude={"key_hash"})
        out["has_credential"] = self.key_hash is not None
        return out


class CameraIn(BaseModel):
    """One camera to register in a network (API body, CSV row or GeoJSON feature)."""

    model_config = ConfigDict(extra="forbid")

    camera_id: str = Field(min_length=1, max_length=64, pattern=CAMERA_ID_PATTERN)
    name: str = Field(default="", max_length=200)
    kind: CameraKind = CameraKind.FIXED
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    heading: float | None = Field(default=None, ge=0, lt=360)
    lanes: int | None = Field(default=None, ge=1, le=12)
    road: str = Field(default="", max_length=80)
    municipality: str = Field(default="", max_length=80)
    #: left out for fixed cameras: the zone whose polygon holds the position
    zone: str | None = Field(default=None, pattern=ZONE_CODE_PATTERN)


class ImportLine(BaseModel):
    line: int
    camera_id: str | None = None
    outcome: Literal["registered", "rejected"]
    reason: str = ""


class ImportReport(BaseModel):
    network_id: str
    registered: int
    rejected: int
    lines: list[ImportLine]


class ImportRequest(BaseModel):
    """``POST /networks/{id}/cameras/import``: a CSV or GeoJSON document as text."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["csv", "geojson"]
    content: str = Field(min_length=1, max_length=5_000_000)


class UploadRequest(BaseModel):
    """What a camera asks before each upload (``POST /uploads``)."""

    model_config = ConfigDict(extra="forbid")

    camera_id: str = Field(min_length=1, max_length=64, pattern=CAMERA_ID_PATTERN)
    content_type: UploadContentType = "image/jpeg"


class UploadGrant(BaseModel):
    """A presigned POST bound to one key under the camera's own prefix."""

    url: str
    fields: dict[str, str]
    key: str
    max_bytes: int
    expires_in_s: int


class Zone(BaseModel):
    """A local police zone or a federal unit, with its boundary (GeoJSON polygon rings)."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(pattern=ZONE_CODE_PATTERN)
    name: str
    kind: Literal["local", "federal"] = "local"
    languages: list[Literal["nl", "fr", "de", "en"]] = Field(min_length=1)
    #: polygons, each a list of rings, each ring [[lon, lat], ...] (GeoJSON MultiPolygon order)
    polygons: list[list[list[tuple[float, float]]]] = Field(default_factory=list)
