"""Synthetic sightings with known ground truth: tests, the benchmark and demos.

Not a traffic model: background vehicles appear at random cameras at random times; the
vehicles under study (a route, a convoy, a commuter) are placed exactly, so precision and
recall can be asserted.
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterator

from anpr.reads.models import Camera
from anpr.search.models import Sighting

_counter = iter(range(1, 1 << 62))


def read_id() -> str:
    return f"{next(_counter):020x}"


def sighting(
    plate: str,
    camera: Camera,
    t_ms: int,
    confidence: float = 0.95,
    alternatives: tuple[str, ...] = (),
    rid: str | None = None,
) -> Sighting:
    return Sighting.model_construct(
        read_id=rid or read_id(),
        plate=plate,
        capture_ms=t_ms,
        camera_id=camera.camera_id,
        zone=camera.zone,
        lat=camera.lat,
        lon=camera.lon,
        confidence=confidence,
        alternatives=alternatives,
        snapshot_key=f"snapshots/{camera.camera_id}/{t_ms}.jpg",
        tag="",
    )


def cameras_on_a_line(
    n: int,
    zone: str = "BRU-NORD",
    lat0: float = 50.80,
    lon0: float = 4.30,
    step: float = 0.01,
    prefix: str = "CAM",
) -> list[Camera]:
    return [
        Camera(
            camera_id=f"{prefix}-{i:03d}",
            name=f"{prefix} {i}",
            lat=lat0 + i * step,
            lon=lon0 + i * step * 1.3,
            zone=zone,
        )
        for i in range(n)
    ]


def belgian_plate(rng: random.Random) -> str:
    return f"{rng.randint(1, 9)}{''.join(rng.choices(string.ascii_uppercase, k=3))}{rng.randint(0, 999):03d}"


def plate_pool(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return list(dict.fromkeys(belgian_plate(rng) for _ in range(int(n * 1.05))))[:n]  # stable order


def background(
    n: int, cameras: list[Camera], start_ms: int, end_ms: int, plates: list[str], seed: int = 11
) -> Iterator[Sighting]:
    """``n`` reads of random vehicles (from ``plates``) at random cameras and times."""
    rng = random.Random(seed)
    span = end_ms - start_ms
    for _ in range(n):
        yield sighting(
            rng.choice(plates),
            rng.choice(cameras),
            start_ms + int(rng.random() * span),
            confidence=round(0.7 + 0.3 * rng.random(), 3),
        )


def drive(plate: str, cameras: list[Camera], start_ms: int, step_ms: int, **kw) -> list[Sighting]:
    """A vehicle passing ``cameras`` in order, one every ``step_ms``."""
    return [sighting(plate, c, start_ms + i * step_ms, **kw) for i, c in enumerate(cameras)]
