import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REAL_DIR = ROOT.parent / "shared" / "data" / "real_plates"
SHIPPED = ROOT / "layers" / "models"


def require_real() -> Path:
    if not REAL_DIR.is_dir():
        pytest.skip(f"real plate photos not available ({REAL_DIR} absent): skipping real-data check")
    return REAL_DIR


def require_shipped() -> Path:
    if not (SHIPPED / "plate_reader.tflite").exists() or not (SHIPPED / "plate_detector.tflite").exists():
        pytest.skip(f"no shipped OCR models in {SHIPPED}")
    return SHIPPED


@pytest.fixture(scope="session")
def engine():
    from anpr.ocr.tflite_engine import TfliteEngine

    require_shipped()
    os.environ.pop("ANPR_MODELS_DIR", None)
    return TfliteEngine.load(SHIPPED)
