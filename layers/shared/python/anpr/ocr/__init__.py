"""Plate detection and reading behind one small interface (see ``engine.py``)."""

from anpr.ocr.engine import OcrEngine, PlateDetection, load_engine

__all__ = ["OcrEngine", "PlateDetection", "load_engine"]
