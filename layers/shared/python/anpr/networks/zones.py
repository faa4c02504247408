"""Police zones as data: boundaries from GeoJSON, and which zone a point lies in.

Nothing here names a zone: the map is whatever file ops loaded (``data/zones/*.geojson``,
``anpr networks zones load``). Fixed cameras get their zone from their position when they are
registered; mobile cameras by their GPS at capture (``ZoneMap.zone_at``, pure, for ingest).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from anpr.kernel.clock import Clock
from anpr.kernel.errors import BadRequest
from anpr.networks.models import Zone

Ring = list[tuple[float, float]]


def _in_ring(lon: float, lat: float, ring: Ring) -> bool:
    """Ray casting (even-odd); a point on an edge may land on either side."""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def in_polygons(lon: float, lat: float, polygons: list[list[Ring]]) -> bool:
    """In one of the polygons: inside its outer ring and outside its holes."""
    return any(
        rings and _in_ring(lon, lat, rings[0]) and not any(_in_ring(lon, lat, h) for h in rings[1:])
        for rings in polygons
    )


@dataclass(frozen=True)
class _Indexed:
    zone: Zone
    box: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


class ZoneMap:
    """Zones with a bounding-box prefilter; local zones win over federal units that overlap."""

    def __init__(self, zones: Iterable[Zone]):
        self.zones = {z.code: z for z in zones}
        order = sorted(self.zones.values(), key=lambda z: (z.kind != "local", z.code))
        self._index = [_Indexed(z, _box(z)) for z in order if z.polygons]

    def __len__(self) -> int:
        return len(self.zones)

    def zone_at(self, lat: float, lon: float) -> str | None:
        """The code of the zone holding (lat, lon), or None outside every zone."""
        for item in self._index:
            x0, y0, x1, y1 = item.box
            if x0 <= lon <= x1 and y0 <= lat <= y1 and in_polygons(lon, lat, item.zone.polygons):
                return item.zone.code
        return None


def _box(zone: Zone) -> tuple[float, float, float, float]:
    pts = [p for poly in zone.polygons for p in poly[0]]
    return (min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts))


def zones_from_geojson(doc: dict) -> list[Zone]:
    """Zones from a FeatureCollection: properties ``code``, ``name``, ``kind``, ``languages``;
    geometry ``Polygon`` or ``MultiPolygon``. A bad feature is a 400 naming the feature."""
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise BadRequest("a zones file must be a GeoJSON FeatureCollection")
    out: list[Zone] = []
    for n, feature in enumerate(doc.get("features") or [], start=1):
        props = feature.get("properties") or {}
        geometry = feature.get("geometry") or {}
        if geometry.get("type") == "Polygon":
            polygons = [geometry["coordinates"]]
        elif geometry.get("type") == "MultiPolygon":
            polygons = geometry["coordinates"]
        else:
            raise BadRequest(f"feature {n}: geometry must be a Polygon or MultiPolygon")
        try:
            out.append(
                Zone(
                    code=props.get("code"),
                    name=props.get("name") or props.get("code"),
                    kind=props.get("kind", "local"),
                    languages=props.get("languages") or [],
                    polygons=[[[tuple(p[:2]) for p in ring] for ring in poly] for poly in polygons],
                )
            )
        except (ValueError, TypeError) as exc:
            raise BadRequest(f"feature {n} ({props.get('code')!r}): {exc}") from exc
    codes = [z.code for z in out]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise BadRequest(f"zone codes appear twice: {dupes[:5]}")
    return out


def load_zone_files(paths: Iterable[Path]) -> list[Zone]:
    zones: list[Zone] = []
    for path in paths:
        zones.extend(zones_from_geojson(json.loads(Path(path).read_text())))
    return zones


class RefreshingZoneMap:
    """Ingest's zone lookup (mobile cameras): the loaded zones, read again every ``refresh_ms``
    (zones change when ops load a file, not per snapshot)."""

    def __init__(self, load: Callable[[], Iterable[Zone]], clock: Clock, refresh_ms: int = 300_000):
        self._load, self._clock, self._refresh_ms = load, clock, refresh_ms
        self._map: ZoneMap | None = None
        self._loaded_at = 0

    def zone_at(self, lat: float, lon: float) -> str | None:
        now = self._clock()
        if self._map is None or now - self._loaded_at >= self._refresh_ms:
            self._map, self._loaded_at = ZoneMap(self._load()), now
        return self._map.zone_at(lat, lon)
