"""Simulated traffic: vehicles with plates driving plausible routes past the cameras.

Seedable: ``generate_traffic(network, n, seed)`` gives the same vehicles, routes, times and
convoys for the same inputs. The result is the ground truth — which vehicle passed which camera
when — kept for later checks of what the platform read and searched.

Times are milliseconds from ``t0_ms`` (simulation start); the uploader shifts them onto the
wall clock (``Traffic.shifted``).
"""

from __future__ import annotations

import itertools
import random
import string
from dataclasses import asdict, dataclass, field, replace

from anpr.reads.models import CameraKind
from anpr.reads.plates import is_valid_for

from local.simulator.geo import compass, offset
from local.simulator.network import RoadNetwork

#: country mix on Brussels roads (Belgian plates first)
COUNTRY_WEIGHTS: dict[str, float] = {"BE": 0.80, "NL": 0.07, "FR": 0.07, "DE": 0.04, "LU": 0.02}

_L = string.ascii_uppercase
_D = string.digits
_NL_LETTERS = "BDFGHJKLNPRSTVXZ"
_FR_LETTERS = "".join(c for c in _L if c not in "IOU")
_NL_SIDECODES = ("LLDDDL", "DDLLLD", "DLLLDD", "LDDDLL", "LLDDLL", "DDLLDD", "DLLDDD", "LLLDDL")
_DE_DISTRICTS = ("AC", "AC", "DN", "EU", "K", "K", "BN", "D", "B", "M", "F", "S", "HH", "KR", "MG", "SU")

#: a convoy partner stays this many seconds behind its target
CONVOY_GAP_S = (2.0, 20.0)
#: no two cameras of a route closer in time than this
MIN_HOP_S = 2.0


def _pick(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def random_plate(country: str, rng: random.Random) -> str:
    """A normalised plate (A-Z0-9) in one of ``country``'s formats (see anpr.reads.plates.COUNTRY_FORMATS)."""
    r = rng.random()
    if country == "BE":
        if r < 0.75:  # 1-ABC-234 (since 2010); the series is in its 1xx and 2xx range
            return rng.choice("1111122223") + _pick(rng, _L, 3) + _pick(rng, _D, 3)
        if r < 0.88:  # ABC-123 (1973-2008)
            return _pick(rng, _L, 3) + _pick(rng, _D, 3)
        if r < 0.97:  # 123-ABC (2008-2010)
            return _pick(rng, _D, 3) + _pick(rng, _L, 3)
        return "M" + _pick(rng, _L, 3) + _pick(rng, _D, 3)  # motorcycle series
    if country == "NL":
        return "".join(rng.choice(_NL_LETTERS if k == "L" else _D) for k in rng.choice(_NL_SIDECODES))
    if country == "FR":
        return _pick(rng, _FR_LETTERS, 2) + _pick(rng, _D, 3) + _pick(rng, _FR_LETTERS, 2)
    if country == "DE":
        suffix = rng.choice(("", "", "", "", "", "", "", "E", "H"))
        return (
            rng.choice(_DE_DISTRICTS)
            + _pick(rng, _L, rng.choice((1, 2, 2)))
            + str(rng.randint(1, 9))
            + _pick(rng, _D, rng.randint(0, 3))
            + suffix
        )
    if country == "LU":
        if r < 0.7:
            return _pick(rng, _L, 2) + _pick(rng, _D, 4)
        return str(rng.randint(1, 9)) + _pick(rng, _D, rng.randint(3, 5))
    raise ValueError(f"no plate format for {country!r}")


@dataclass(frozen=True)
class Vehicle:
    vehicle_id: str
    plate: str
    country: str
    route: tuple[str, ...]
    convoy_of: str | None = None  # the target's vehicle_id when this vehicle follows one


@dataclass(frozen=True)
class Sighting:
    """One vehicle passing one camera: the ground truth of one snapshot."""

    plate: str
    country: str
    camera_id: str
    capture_ms: int
    lane: int
    direction: str | None
    vehicle_id: str
    convoy_of: str | None = None
    #: mobile units report where they stand (fixed cameras are known to the registry)
    lat: float | None = None
    lon: float | None = None
    heading: float | None = None
    # filled in by the uploader
    key: str | None = None
    camera_plate: str | None = None
    camera_plate_confidence: float | None = None
    camera_plate_country: str | None = None
    uploaded: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Convoy:
    target: str  # vehicle ids
    partner: str
    gaps_s: tuple[float, ...]  # partner behind target at each camera of the route


@dataclass
class Traffic:
    seed: int
    vehicles: list[Vehicle]
    sightings: list[Sighting]  # time order
    convoys: list[Convoy] = field(default_factory=list)

    def shifted(self, offset_ms: int) -> Traffic:
        return Traffic(
            self.seed,
            self.vehicles,
            [replace(s, capture_ms=s.capture_ms + offset_ms) for s in self.sightings],
            self.convoys,
        )

    def by_vehicle(self) -> dict[str, list[Sighting]]:
        out: dict[str, list[Sighting]] = {}
        for s in self.sightings:
            out.setdefault(s.vehicle_id, []).append(s)
        return out

    def to_dict(self) -> dict:
        return {
            "seed": self.seed,
            "vehicles": [asdict(v) for v in self.vehicles],
            "convoys": [asdict(c) for c in self.convoys],
            "sightings": [s.to_dict() for s in self.sightings],
        }


class _Generator:
    def __init__(self, network: RoadNetwork, seed: int, window_s: float, t0_ms: int, mobile_jitter_m: float):
        self.net = network
        self.rng = random.Random(seed)
        self.window_s = window_s
        self.t0_ms = t0_ms
        self.cameras = sorted(network.cameras)
        self.plates: set[str] = set()
        self.vehicles: list[Vehicle] = []
        self.sightings: list[Sighting] = []
        # where each mobile unit stands today: near its seed position, seeded
        self.deployed: dict[str, tuple[float, float, float]] = {}
        for cid in self.cameras:
            cam = network.cameras[cid]
            if cam.kind == CameraKind.MOBILE:
                lat, lon = offset(
                    cam.lat, cam.lon, self.rng.uniform(0, 360), self.rng.uniform(0, mobile_jitter_m)
                )
                heading = (cam.heading + self.rng.uniform(-5, 5)) % 360.0
                self.deployed[cid] = (round(lat, 6), round(lon, 6), round(heading, 1))

    def plate(self) -> tuple[str, str]:
        countries, weights = zip(*COUNTRY_WEIGHTS.items(), strict=True)
        while True:
            country = self.rng.choices(countries, weights)[0]
            plate = random_plate(country, self.rng)
            if plate not in self.plates and is_valid_for(plate, country):
                self.plates.add(plate)
                return plate, country

    def walk(self, length: int, min_length: int) -> list[str]:
        """A random drive of up to ``length`` cameras, rather staying on its road than turning."""
        for _ in range(50):
            route = [self.rng.choice(self.cameras)]
            seen = set(route)
            while len(route) < length:
                options = [lk for lk in self.net.successors(route[-1]) if lk.dst not in seen]
                if not options:
                    break
                link = self.rng.choices(options, [3.0 if lk.same_road else 1.0 for lk in options])[0]
                route.append(link.dst)
                seen.add(link.dst)
            if len(route) >= min_length:
                return route
        raise RuntimeError(f"no route of {min_length} cameras in this network")

    def times(self, route: list[str]) -> list[float]:
        """Seconds from simulation start at each camera: free-flow time, the driver's pace, lights."""
        pace = self.rng.uniform(0.85, 1.15)
        t = self.rng.uniform(0, self.window_s)
        out = [t]
        for a, b in itertools.pairwise(route):
            dt = self.net.link(a, b).travel_s / pace * self.rng.uniform(0.93, 1.08)
            if self.net.is_urban(b) and self.rng.random() < 0.3:
                dt += self.rng.uniform(5, 35)  # a red light
            t += max(MIN_HOP_S, dt)
            out.append(t)
        return out

    def add_vehicle(
        self,
        route: list[str],
        times: list[float],
        convoy_of: str | None = None,
        lanes: list[int] | None = None,
    ) -> tuple[Vehicle, list[int]]:
        plate, country = self.plate()
        vehicle = Vehicle(f"V{len(self.vehicles) + 1:05d}", plate, country, tuple(route), convoy_of)
        self.vehicles.append(vehicle)
        used_lanes = []
        for i, (cid, t) in enumerate(zip(route, times, strict=True)):
            lane = lanes[i] if lanes and self.rng.random() < 0.7 else self.rng.randint(1, self.net.lanes(cid))
            used_lanes.append(lane)
            lat, lon, heading = self.deployed.get(cid, (None, None, None))
            direction = compass(heading if heading is not None else self.net.cameras[cid].heading)
            self.sightings.append(
                Sighting(
                    plate=plate,
                    country=country,
                    camera_id=cid,
                    capture_ms=self.t0_ms + round(t * 1000),
                    lane=lane,
                    direction=direction,
                    vehicle_id=vehicle.vehicle_id,
                    convoy_of=convoy_of,
                    lat=lat,
                    lon=lon,
                    heading=heading,
                )
            )
        return vehicle, used_lanes

    def convoy(self) -> Convoy:
        route = self.walk(self.rng.randint(5, 10), min_length=4)
        times = self.times(route)
        target, lanes = self.add_vehicle(route, times)
        gap = self.rng.uniform(3.0, 15.0)
        gaps, partner_times = [], []
        for t in times:
            gap = min(CONVOY_GAP_S[1], max(CONVOY_GAP_S[0], gap + self.rng.uniform(-1.5, 1.5)))
            if partner_times and t + gap <= partner_times[-1]:
                gap = partner_times[-1] + 0.5 - t  # never overtakes itself (see the invariant in tests)
            gaps.append(round(gap, 3))
            partner_times.append(t + gap)
        partner, _ = self.add_vehicle(route, partner_times, convoy_of=target.vehicle_id, lanes=lanes)
        return Convoy(target.vehicle_id, partner.vehicle_id, tuple(gaps))


def generate_traffic(
    network: RoadNetwork,
    n_sightings: int,
    seed: int = 0,
    window_s: float = 7200.0,
    convoys: int | None = None,
    t0_ms: int = 0,
    route_length: tuple[int, int] = (3, 15),
    mobile_jitter_m: float = 25.0,
) -> Traffic:
    """``n_sightings`` camera passages by vehicles starting within ``window_s`` seconds.

    Each vehicle drives ``route_length`` cameras (the last one may be cut short to hit the count
    exactly). ``convoys`` pairs (default: one per ~150 sightings, at least one from 40) of a target and a partner
    following 2-20 s behind it over the same ≥ 4 cameras.
    """
    if n_sightings < 0:
        raise ValueError("n_sightings must be ≥ 0")
    gen = _Generator(network, seed, window_s, t0_ms, mobile_jitter_m)
    n_convoys = convoys if convoys is not None else (max(1, n_sightings // 150) if n_sightings >= 40 else 0)
    made: list[Convoy] = []
    for _ in range(n_convoys):
        if n_sightings - len(gen.sightings) < 20:  # a convoy is at most 2 × 10 sightings
            break
        made.append(gen.convoy())
    while len(gen.sightings) < n_sightings:
        remaining = n_sightings - len(gen.sightings)
        length = min(gen.rng.randint(*route_length), remaining)
        route = gen.walk(length, min_length=min(length, route_length[0]))
        gen.add_vehicle(route, gen.times(route))
    sightings = sorted(gen.sightings, key=lambda s: (s.capture_ms, s.camera_id, s.vehicle_id))
    return Traffic(seed, gen.vehicles, sightings, made)
