"""Stand-in engine: trusts the camera's own plate read. Replaced by the TFLite engine."""

from __future__ import annotations

from PIL import Image

from anpr.ocr.engine import CameraHint, PlateDetection
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
