"""The road graph the simulated vehicles drive on, built from the camera seed alone.

Nodes are active cameras. A camera links to
- the next camera *on the same road in the same direction* (nearest one ahead whose heading
  agrees with its own): cameras ordered along each road and direction, and
- a few cameras *on other roads* close ahead of it (junctions, ring intersections, tunnel
  mouths), never back the way it came (no U-turns).

Every link carries a distance (haversine, with a detour factor for junction turns) and a travel
time from the road class speed: R0 and motorways ~90-100 km/h, tunnels 50, urban 40-50.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass

from anpr.reads.models import Camera, CameraStatus

from local.simulator.geo import angle_diff, bearing_deg, haversine_m

#: free-flow speed per road class (km/h)
SPEED_KMH: dict[str, float] = {
    "ring": 100.0,
    "motorway": 90.0,
    "inner_ring": 50.0,
    "tunnel": 50.0,
    "urban": 40.0,
}
#: lanes a camera watches, per road class
LANES: dict[str, int] = {"ring": 3, "motorway": 3, "inner_ring": 2, "tunnel": 2, "urban": 2}
#: roads are not straight lines between cameras; junction turns even less so
SAME_ROAD_DETOUR = 1.05
TRANSFER_DETOUR = 1.3


def road_class(road: str) -> str:
    """'ring' (R0), 'motorway' (E.., A..), 'inner_ring' (R20/R21), 'tunnel' or 'urban'."""
    first = road.split()[0] if road else ""
    if road.startswith("Tunnel"):
        return "tunnel"
    if first == "R0":
        return "ring"
    if first[:1] in ("E", "A") and first[1:].isdigit():
        return "motorway"
    if first in ("R20", "R21"):
        return "inner_ring"
    return "urban"


@dataclass(frozen=True)
class Link:
    src: str
    dst: str
    distance_m: float
    travel_s: float
    same_road: bool

    @property
    def speed_kmh(self) -> float:
        return self.distance_m / self.travel_s * 3.6


class RoadNetwork:
    def __init__(self, cameras: dict[str, Camera], links: dict[str, list[Link]]):
        self.cameras = cameras
        self.links = links

    @classmethod
    def from_cameras(
        cls,
        cameras: Iterable[Camera],
        max_successor_m: float = 4000.0,
        max_transfer_m: float = 1200.0,
        transfers_per_camera: int = 4,
    ) -> RoadNetwork:
        active = {
            c.camera_id: c for c in cameras if c.status == CameraStatus.ACTIVE and c.heading is not None
        }
        links: dict[str, list[Link]] = {cid: [] for cid in active}
        for c in active.values():
            ahead: list[tuple[float, float, Camera]] = []  # (distance, bearing, camera)
            for d in active.values():
                if d.camera_id == c.camera_id:
                    continue
                dist = haversine_m(c.lat, c.lon, d.lat, d.lon)
                if dist > max(max_successor_m, max_transfer_m) or dist < 1.0:
                    continue
                brg = bearing_deg(c.lat, c.lon, d.lat, d.lon)
                if angle_diff(brg, c.heading) <= 75.0:
                    ahead.append((dist, brg, d))
            ahead.sort(key=lambda t: (t[0], t[2].camera_id))
            same = [
                (dist, d)
                for dist, _, d in ahead
                if d.road == c.road and dist <= max_successor_m and angle_diff(d.heading, c.heading) <= 80.0
            ]
            if same:
                dist, d = same[0]
                links[c.camera_id].append(cls._link(c, d, dist, same_road=True))
            transfers = [
                (dist, d)
                for dist, brg, d in ahead
                if d.road != c.road
                and dist <= max_transfer_m
                and angle_diff(d.heading, brg) <= 100.0  # d leads on, away from c
                and angle_diff(d.heading, c.heading) <= 135.0  # no U-turn onto the other carriageway
            ]
            for dist, d in transfers[:transfers_per_camera]:
                links[c.camera_id].append(cls._link(c, d, dist, same_road=False))
        return cls(active, links)

    @staticmethod
    def _link(a: Camera, b: Camera, dist: float, same_road: bool) -> Link:
        road_m = dist * (SAME_ROAD_DETOUR if same_road else TRANSFER_DETOUR)
        speed = (
            min(SPEED_KMH[road_class(a.road)], SPEED_KMH[road_class(b.road)])
            if not same_road
            else SPEED_KMH[road_class(a.road)]
        )
        return Link(a.camera_id, b.camera_id, road_m, road_m / (speed / 3.6), same_road)

    # ------------------------------------------------------------------ queries
    def successors(self, camera_id: str) -> list[Link]:
        return self.links.get(camera_id, [])

    def link(self, src: str, dst: str) -> Link | None:
        return next((lk for lk in self.successors(src) if lk.dst == dst), None)

    def lanes(self, camera_id: str) -> int:
        return LANES[road_class(self.cameras[camera_id].road)]

    def is_urban(self, camera_id: str) -> bool:
        return road_class(self.cameras[camera_id].road) in ("urban", "inner_ring")

    def shortest_path(self, src: str, dst: str) -> list[str] | None:
        """Fastest camera sequence from ``src`` to ``dst`` (Dijkstra on travel time), or None."""
        best = {src: 0.0}
        prev: dict[str, str] = {}
        heap = [(0.0, src)]
        while heap:
            t, cid = heapq.heappop(heap)
            if cid == dst:
                path = [dst]
                while path[-1] != src:
                    path.append(prev[path[-1]])
                return path[::-1]
            if t > best.get(cid, float("inf")):
                continue
            for lk in self.successors(cid):
                nt = t + lk.travel_s
                if nt < best.get(lk.dst, float("inf")):
                    best[lk.dst] = nt
                    prev[lk.dst] = cid
                    heapq.heappush(heap, (nt, lk.dst))
        return None
