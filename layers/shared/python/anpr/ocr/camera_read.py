"""Camera-made reads: the stand-in engine trusting the camera's own plate read (tests, sites
whose cameras read plates themselves), and the JSON read format reading cameras upload
(``CameraReadDocument``, docs/networks.md "Camera-made reads")."""

from __future__ import annotations

import base64
import binascii
from typing import Literal

from PIL import Image
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from anpr.ocr.engine import CameraHint, PlateDetection
from anpr.reads.models import CaptureMetadata
from anpr.reads.plates import normalise


class CameraReadEngine:
    name = "camera-read"

    def read(self, image: Image.Image, hint: CameraHint | None = None) -> list[PlateDetection]:
        if not hint or not hint.plate:
            return []
        plate = normalise(hint.plate)
        if not plate:
            return []
        w, h = image.size
        return [
            PlateDetection(
                text=plate,
                raw_text=hint.plate,
                confidence=hint.confidence if hint.confidence is not None else 0.5,
                bbox=(0, 0, w, h),
                country=hint.country or "UNKNOWN",
                source="camera",
            )
        ]


# --- camera-made reads: the JSON document a reading camera uploads beside plain snapshots --------

#: the document's ``format`` field: a new incompatible version gets a new number
CAMERA_READ_FORMAT = "anpr-camera-read/1"
#: base64 of at most a few MB of JPEG/PNG (the presigned POST bounds the whole document too)
_MAX_IMAGE_B64 = 7_000_000


class CameraReadDocument(BaseModel):
    """``snapshots/{network}/{camera}/.../{ms}_{id}.json``: what the camera read, and the images.

    The overview image is the evidence our OCR reads again; the camera's crop is kept as sent
    (optional). Positions are the camera's GPS at capture (mobile cameras), else left out.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["anpr-camera-read/1"]
    camera_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    capture_ms: int = Field(gt=1_000_000_000_000, lt=10_000_000_000_000)
    plate: str = Field(min_length=1, max_length=16)
    confidence: float = Field(ge=0, le=1)
    country: str | None = Field(default=None, pattern=r"^[A-Z]{1,3}$")
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    heading: float | None = Field(default=None, ge=0, lt=360)
    lane: int | None = Field(default=None, ge=0, le=20)
    direction: str | None = Field(default=None, max_length=32)
    #: the plate's box in the overview image, as the camera found it (x, y, w, h)
    plate_bbox: tuple[int, int, int, int] | None = None
    overview_image: str = Field(min_length=16, max_length=_MAX_IMAGE_B64, description="base64 JPEG/PNG")
    crop_image: str | None = Field(default=None, max_length=_MAX_IMAGE_B64, description="base64 JPEG/PNG")

    @field_validator("plate")
    @classmethod
    def _plate(cls, v: str) -> str:
        if not normalise(v):
            raise ValueError("no letter or digit in the plate")
        return v

    @model_validator(mode="after")
    def _position_pair(self) -> CameraReadDocument:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon come together")
        return self

    def images(self) -> tuple[bytes, bytes | None]:
        """(overview, crop) decoded; ValueError names the field that is not base64."""
        return _b64("overview_image", self.overview_image), (
            _b64("crop_image", self.crop_image) if self.crop_image else None
        )

    def metadata(self) -> CaptureMetadata:
        """The capture metadata this document stands for (the same checks as a snapshot's)."""
        return CaptureMetadata(
            camera_id=self.camera_id,
            capture_ms=self.capture_ms,
            lat=self.lat,
            lon=self.lon,
            heading=self.heading,
            lane=self.lane,
            direction=self.direction,
            camera_plate=self.plate,
            camera_plate_confidence=self.confidence,
            camera_plate_country=self.country,
        )


def _b64(field: str, text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{field} is not base64") from None


def parse_camera_read(body: bytes) -> CameraReadDocument:
    """The document, or ValueError with the fields that are wrong (one line, for quarantine)."""
    try:
        return CameraReadDocument.model_validate_json(body)
    except ValidationError as exc:
        fields = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'document'}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise ValueError(fields) from None
