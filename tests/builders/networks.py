"""Builders for the networks concern's tests: a square zone feature."""

from __future__ import annotations


def square_zone(code: str, lon0: float, lat0: float, size: float = 1.0, kind: str = "local") -> dict:
    ring = [[lon0, lat0], [lon0 + size, lat0], [lon0 + size, lat0 + size], [lon0, lat0 + size], [lon0, lat0]]
    return {
        "type": "Feature",
        "properties": {"code": code, "name": code.title(), "kind": kind, "languages": ["nl", "fr"]},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
