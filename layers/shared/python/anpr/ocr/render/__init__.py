"""Synthetic plates and camera scenes: training data for the OCR models and the camera simulator's
snapshots. Deterministic given a ``random.Random``."""

from anpr.ocr.render.formats import COUNTRIES, Layout, layout_for, random_country, random_plate
from anpr.ocr.render.plate import make_plate
from anpr.ocr.render.scene import PlateBox, expand_box, render_crop, render_scene, render_snapshot

__all__ = [
    "COUNTRIES",
    "Layout",
    "PlateBox",
    "expand_box",
    "layout_for",
    "make_plate",
    "random_country",
    "random_plate",
    "render_crop",
    "render_scene",
    "render_snapshot",
]
