"""The shipped OCR engine: a TFLite plate detector, then a TFLite CTC reader per plate.

Models load once per container (``TfliteEngine.load``); every call runs single-threaded so one
Lambda vCPU serves one snapshot predictably.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
from PIL import Image

from anpr.ocr import decode
from anpr.ocr.engine import CameraHint, PlateDetection
from anpr.ocr.preprocess import (
    DET_SCALES,
    TWO_LINE_MAX_ASPECT,
    decode_detections,
    detector_input,
    iou,
    reader_input,
)

READER_FILE, DETECTOR_FILE = "plate_reader.tflite", "plate_detector.tflite"
LAMBDA_LAYER_DIR = Path("/opt/models")
REPO_MODELS_DIR = Path(__file__).resolve().parents[4] / "models"
#: detector box → reader crop margins (the training pipeline cuts its crops the same way)
from anpr.render.scene import expand_box

DET_THRESHOLD = 0.3
MAX_PLATES = 6


def models_dir() -> Path:
    env = os.environ.get("ANPR_MODELS_DIR")
    if env:
        return Path(env)
    if (LAMBDA_LAYER_DIR / READER_FILE).exists():
        return LAMBDA_LAYER_DIR
    return REPO_MODELS_DIR


def _interpreter(path: Path):
    try:
        from tflite_runtime.interpreter import Interpreter
    except ImportError:  # training machines: TF's own copy
        from tensorflow.lite.python.interpreter import Interpreter
    it = Interpreter(model_path=str(path), num_threads=1)
    it.allocate_tensors()
    return it


class _Model:
    def __init__(self, path: Path, input_hw: tuple[int, int] | None = None):
        self.it = _interpreter(path)
        self.inp = self.it.get_input_details()[0]["index"]
        self.out = self.it.get_output_details()[0]["index"]
        if input_hw and tuple(self.it.get_input_details()[0]["shape"][1:3]) != tuple(input_hw):
            self.it.resize_tensor_input(self.inp, [1, input_hw[0], input_hw[1], 1])
            self.it.allocate_tensors()

    def __call__(self, x: np.ndarray) -> np.ndarray:
        self.it.set_tensor(self.inp, x)
        self.it.invoke()
        return self.it.get_tensor(self.out)


class TfliteEngine:
    name = "tflite"

    def __init__(
        self, detectors: list[tuple[tuple[int, int], _Model]], reader: _Model, model_dir: Path, load_ms: float
    ):
        self.detectors, self.reader, self.model_dir, self.load_ms = detectors, reader, model_dir, load_ms

    @classmethod
    def load(cls, model_dir: str | Path | None = None) -> TfliteEngine:
        d = Path(model_dir) if model_dir else models_dir()
        for f in (READER_FILE, DETECTOR_FILE):
            if not (d / f).exists():
                raise FileNotFoundError(f"OCR model missing: {d / f}")
        t0 = time.perf_counter()
        dets = [(hw, _Model(d / DETECTOR_FILE, hw)) for hw in DET_SCALES]
        rdr = _Model(d / READER_FILE)
        engine = cls(dets, rdr, d, (time.perf_counter() - t0) * 1000)
        engine.read_crop(
            Image.new("RGB", (120, 30), (255, 255, 255))
        )  # warm-up: first invoke sets up XNNPACK
        engine.detect(Image.new("RGB", (64, 48)))
        engine.load_ms = (time.perf_counter() - t0) * 1000
        return engine

    # ------------------------------------------------------------ stages
    def detect(self, image: Image.Image) -> list[tuple[float, tuple[float, float, float, float]]]:
        """Plate boxes (score, (x, y, w, h)) from every detector scale, merged by NMS."""
        grey = image.convert("L")
        found: list[tuple[float, tuple[float, float, float, float]]] = []
        for hw, model in self.detectors:
            x, scale = detector_input(grey, hw)
            y = model(x[None, ..., None])[0]
            found += decode_detections(y[..., 0], y[..., 1:3], y[..., 3:5], scale, DET_THRESHOLD, MAX_PLATES)
        found.sort(key=lambda t: -t[0])
        kept: list[tuple[float, tuple[float, float, float, float]]] = []
        for sc, box in found:
            if all(iou(box, k[1]) < 0.3 for k in kept):
                kept.append((sc, box))
        return kept[:MAX_PLATES]

    def _read(self, crop: Image.Image, two_line: bool, country: str | None) -> decode.Reading:
        x = reader_input(crop, two_line)[None, ..., None]
        probs = decode.softmax(self.reader(x)[0])
        return decode.read(probs, country)

    def read_crop(
        self, crop: Image.Image, aspect: float | None = None, country: str | None = None
    ) -> decode.Reading:
        """Read a plate crop; shapes near the one-/two-line boundary are read both ways, most confident wins."""
        a = aspect if aspect is not None else crop.width / max(1, crop.height)
        if a >= TWO_LINE_MAX_ASPECT:
            return self._read(crop, False, country)
        if a < TWO_LINE_MAX_ASPECT * 0.8:
            return self._read(crop, True, country)
        one, two = self._read(crop, False, country), self._read(crop, True, country)
        return max((one, two), key=lambda r: r.confidence)

    def read(self, image: Image.Image, hint: CameraHint | None = None) -> list[PlateDetection]:
        image = image.convert("RGB")
        country = hint.country.upper() if hint and hint.country else None
        boxes = self.detect(image)
        if not boxes and _looks_like_a_crop(image):
            boxes = [(0.5, (0.0, 0.0, float(image.width), float(image.height)))]
        out: list[PlateDetection] = []
        for score, box in boxes:
            x0, y0, x1, y1 = expand_box(box, image.size)
            if x1 - x0 < 4 or y1 - y0 < 4:
                continue
            r = self.read_crop(image.crop((x0, y0, x1, y1)), box[2] / max(1.0, box[3]), country)
            if len(r.text) < 2:
                continue
            bx = tuple(round(v) for v in (max(0.0, box[0]), max(0.0, box[1]), box[2], box[3]))
            out.append(
                PlateDetection(
                    text=r.text,
                    raw_text=r.text,
                    confidence=round(float(score) * r.confidence, 4),
                    bbox=bx,
                    country=r.country,
                    alternatives=r.alternatives,
                    char_confidences=r.char_confidences,
                    source="ocr",
                    extra={
                        "detector_score": round(float(score), 4),
                        "reader_confidence": round(r.confidence, 4),
                    },
                )
            )
        out.sort(key=lambda p: -p.confidence)
        if not out and hint and hint.plate:
            # nothing readable found, but the camera read a plate itself: keep that read, marked
            # source="camera", rather than lose the passage (same as the stand-in engine)
            from anpr.ocr.camera_read import CameraReadEngine

            return CameraReadEngine().read(image, hint)
        return out


def _looks_like_a_crop(image: Image.Image) -> bool:
    w, h = image.size
    return h <= 200 and 1.0 <= w / max(1, h) <= 6.0


__all__ = ["TfliteEngine", "models_dir"]
