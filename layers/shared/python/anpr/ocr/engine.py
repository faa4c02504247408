"""The OCR engine interface the ingest path depends on.

The ingest Lambda only knows ``OcrEngine.read(image, hint)``. ``load_engine`` picks the
implementation once per container (models load once, not per snapshot).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from PIL import Image


@dataclass(frozen=True)
class CameraHint:
    """What the camera itself claims to have read (optional capture metadata)."""

    plate: str | None = None
    confidence: float | None = None
    country: str | None = None


@dataclass(frozen=True)
class PlateDetection:
    """One plate found in a snapshot."""

    text: str  # normalised A-Z0-9, best reading
    raw_text: str  # as read, before normalisation (separators kept where the reader saw them)
    confidence: float  # 0..1, for the whole plate
    bbox: tuple[int, int, int, int]  # x, y, w, h in snapshot pixels
    #: ISO 3166 code (UK for the United Kingdom) from the plate's format and colours, UNKNOWN when
    #: no country scores at least ``decode.COUNTRY_MIN_SCORE`` (the camera engine passes its hint)
    country: str = "UNKNOWN"
    country_score: float = 0.0  # 0..1, of the best-scoring country (even when reported UNKNOWN)
    country_runner_up: tuple[str, float] | None = None  # second-best country and its score
    alternatives: tuple[str, ...] = ()  # other plausible readings, best first
    char_confidences: tuple[float, ...] = ()
    source: str = "ocr"  # "ocr" or "camera"
    extra: dict = field(default_factory=dict)


class OcrEngine(Protocol):
    name: str

    def read(self, image: Image.Image, hint: CameraHint | None = None) -> list[PlateDetection]:
        """Every plate found in ``image``, most likely first."""
        ...


def load_engine(kind: str = "auto") -> OcrEngine:
    """The engine the platform runs: the shipped TFLite models (``auto``/``tflite``).

    ``camera`` (trust the camera's own read, no OCR) exists only for tests and for sites whose
    cameras read plates themselves; it is never chosen silently.
    """
    if kind in ("auto", "tflite"):
        # imported here: the TFLite runtime is heavy and only the ingest path needs it
        from anpr.ocr.tflite_engine import TfliteEngine

        return TfliteEngine.load()
    if kind == "camera":
        from anpr.ocr.camera_read import CameraReadEngine

        return CameraReadEngine()
    raise ValueError(f"unknown OCR engine {kind!r}: expected auto, tflite or camera")
