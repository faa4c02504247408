"""Generates the national simulation's data (issue 12 #6): police zones and camera networks.

    .venv/bin/python data/networks/generate.py   # writes data/zones/belgium.geojson, data/networks/*.json

Plausible, not official: the six Brussels zones are drawn around the cameras of
``data/cameras/brussels.json`` (each grid cell takes the zone of its nearest camera, so the
demo's cameras keep their zones); other local zones are squares around their towns' centres,
and the federal highway police covers the country (local zones win where they overlap).
Deterministic (seeded): running it twice writes the same files.
"""

from __future__ import annotations

import json
import math
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "layers/shared/python"))

import itertools

from anpr.networks.zones import ZoneMap, zones_from_geojson

BRUSSELS = json.loads((ROOT / "data/cameras/brussels.json").read_text())
BXL_NAMES = {
    "BXL-5339": "Bruxelles-Capitale/Ixelles",
    "BXL-5340": "Bruxelles-Ouest",
    "BXL-5341": "Midi",
    "BXL-5342": "Uccle/Watermael-Boitsfort/Auderghem",
    "BXL-5343": "Montgomery",
    "BXL-5344": "Bruxelles-Nord",
}
#: code, name, languages, centre (lat, lon), half-size (deg lat)
TOWNS = [
    ("ANT-5345", "Antwerpen", ["nl"], (51.2194, 4.4025), 0.07),
    ("GNT-5415", "Gent", ["nl"], (51.0543, 3.7174), 0.07),
    ("LGE-5277", "Liège", ["fr"], (50.6326, 5.5797), 0.06),
    ("CRL-5330", "Charleroi", ["fr"], (50.4108, 4.4446), 0.06),
    ("LEU-5388", "Leuven", ["nl"], (50.8798, 4.7005), 0.05),
    ("NAM-5303", "Namur", ["fr"], (50.4674, 4.8720), 0.05),
    ("BRG-5438", "Brugge", ["nl"], (51.2093, 3.2247), 0.05),
    ("MEC-5386", "Mechelen/Willebroek", ["nl"], (51.0259, 4.4776), 0.04),
    ("HAS-5380", "Hasselt (LRH)", ["nl"], (50.9307, 5.3325), 0.05),
    ("MON-5324", "Mons/Quévy", ["fr"], (50.4542, 3.9523), 0.05),
    ("KRT-5422", "Vlas (Kortrijk)", ["nl"], (50.8279, 3.2649), 0.05),
    ("AAL-5421", "Aalst", ["nl"], (50.9378, 4.0403), 0.04),
    ("OST-5436", "Oostende", ["nl"], (51.2154, 2.9286), 0.04),
    ("TOU-5318", "Tournai", ["fr"], (50.6071, 3.3893), 0.04),
    ("VER-5285", "Vesdre (Verviers)", ["fr"], (50.5891, 5.8624), 0.04),
    ("GNK-5381", "CARMA (Genk)", ["nl"], (50.9650, 5.5008), 0.05),
    ("SNK-5423", "Sint-Niklaas", ["nl"], (51.1650, 4.1437), 0.04),
    ("ARL-5299", "Arlon/Attert/Habay/Martelange", ["fr"], (49.6833, 5.8167), 0.05),
    ("EUP-5291", "Weser-Göhl (Eupen)", ["de"], (50.6285, 6.0350), 0.04),
]
FEDERAL = ("FED-WPR", "Federale wegpolitie / Police fédérale de la route", ["nl", "fr", "de"])
BELGIUM = [(2.50, 49.45), (6.45, 49.45), (6.45, 51.55), (2.50, 51.55), (2.50, 49.45)]
#: motorways as town-to-town segments (portal pairs every ~1.5 km, both directions)
MOTORWAYS = [
    ("E40", ["BXL", "GNT-5415", "BRG-5438", "OST-5436"]),
    ("E40", ["BXL", "LEU-5388", "LGE-5277", "EUP-5291"]),
    ("E19", ["BXL", "MEC-5386", "ANT-5345"]),
    ("E19", ["BXL", "MON-5324"]),
    ("E411", ["BXL", "NAM-5303", "ARL-5299"]),
    ("E313", ["ANT-5345", "HAS-5380", "LGE-5277"]),
    ("E42", ["MON-5324", "CRL-5330", "NAM-5303", "LGE-5277", "VER-5285"]),
    ("E17", ["ANT-5345", "SNK-5423", "GNT-5415", "KRT-5422"]),
    ("E314", ["LEU-5388", "HAS-5380", "GNK-5381"]),
    ("E403", ["BRG-5438", "KRT-5422", "TOU-5318"]),
]
BXL_CENTRE = (50.8466, 4.3528)


def square(lat: float, lon: float, half: float) -> list[list[float]]:
    dlon = half / math.cos(math.radians(lat))
    return [
        [round(lon - dlon, 5), round(lat - half, 5)],
        [round(lon + dlon, 5), round(lat - half, 5)],
        [round(lon + dlon, 5), round(lat + half, 5)],
        [round(lon - dlon, 5), round(lat + half, 5)],
        [round(lon - dlon, 5), round(lat - half, 5)],
    ]


def brussels_zones(step: float = 0.002) -> dict[str, list]:
    """Row runs of grid cells, each cell taking its nearest camera's zone."""
    lat0, lat1, lon0, lon1 = 50.765, 50.930, 4.235, 4.500
    cams = [(c["lat"], c["lon"], c["zone"]) for c in BRUSSELS]
    k = math.cos(math.radians(50.85))
    polys: dict[str, list] = {z: [] for z in BXL_NAMES}
    rows, cols = round((lat1 - lat0) / step), round((lon1 - lon0) / step)
    for r in range(rows):
        la, run_start, run_zone = lat0 + (r + 0.5) * step, 0, None
        for col in range(cols + 1):
            zone = None
            if col < cols:
                lo = lon0 + (col + 0.5) * step
                zone = min(cams, key=lambda c: (c[0] - la) ** 2 + ((c[1] - lo) * k) ** 2)[2]
            if zone != run_zone:
                if run_zone is not None:
                    a, b = lon0 + run_start * step, lon0 + col * step
                    y0, y1 = lat0 + r * step, lat0 + (r + 1) * step
                    ring = [[a, y0], [b, y0], [b, y1], [a, y1], [a, y0]]
                    polys[run_zone].append([[[round(x, 5), round(y, 5)] for x, y in ring]])
                run_start, run_zone = col, zone
    return polys


def feature(code: str, name: str, kind: str, languages: list[str], geometry: dict) -> dict:
    props = {"code": code, "name": name, "kind": kind, "languages": languages}
    return {"type": "Feature", "properties": props, "geometry": geometry}


def zones_geojson() -> dict:
    features = [
        feature(code, BXL_NAMES[code], "local", ["fr", "nl"], {"type": "MultiPolygon", "coordinates": polys})
        for code, polys in brussels_zones().items()
    ]
    features += [
        feature(code, name, "local", langs, {"type": "Polygon", "coordinates": [square(*centre, half)]})
        for code, name, langs, centre, half in TOWNS
    ]
    features.append(
        feature(*FEDERAL[:2], "federal", FEDERAL[2], {"type": "Polygon", "coordinates": [BELGIUM]})
    )
    return {"type": "FeatureCollection", "features": features}


def heading(a: tuple[float, float], b: tuple[float, float]) -> float:
    dy, dx = b[0] - a[0], (b[1] - a[1]) * math.cos(math.radians(a[0]))
    return round(math.degrees(math.atan2(dx, dy)) % 360, 1)


def camera(cid, name, kind, lat, lon, hdg, road, zones: ZoneMap, network, lanes=None) -> dict:
    out = {
        "camera_id": cid,
        "name": name,
        "kind": kind,
        "lat": round(lat, 6),
        "lon": round(lon, 6),
        "heading": hdg,
        "road": road,
        "municipality": "",
        "zone": zones.zone_at(lat, lon),
        "status": "active",
        "network": network,
    }
    if lanes:
        out["lanes"] = lanes
    return out


def city_cameras(prefix, network, centre, half, n, zones, rng) -> list[dict]:
    out = []
    for i in range(n):  # LEZ cordon: a ring of entry cameras, plus some inside
        ang = rng.uniform(0, 2 * math.pi)
        rad = half * (0.85 if i % 3 else rng.uniform(0.1, 0.7))
        lat = centre[0] + rad * math.sin(ang)
        lon = centre[1] + rad * math.cos(ang) / math.cos(math.radians(centre[0]))
        hdg = heading((lat, lon), centre)
        out.append(
            camera(
                f"{prefix}-{i + 1:04d}",
                f"{prefix} LEZ entry {i + 1}",
                "fixed",
                lat,
                lon,
                hdg,
                f"N{rng.randint(1, 99)}",
                zones,
                network,
                lanes=rng.choice([1, 2, 2, 3]),
            )
        )
    return out


def motorway_cameras(zones: ZoneMap, rng) -> list[dict]:
    centres = {code: centre for code, _, _, centre, _ in TOWNS} | {"BXL": BXL_CENTRE}
    out, n = [], 0
    for road, towns in MOTORWAYS:
        for a, b in itertools.pairwise(towns):
            pa, pb = centres[a], centres[b]
            km = math.dist((pa[0], pa[1] * 0.64), (pb[0], pb[1] * 0.64)) * 111
            steps = max(2, int(km / 1.5))
            for s in range(1, steps):
                t = s / steps
                lat, lon = pa[0] + t * (pb[0] - pa[0]), pa[1] + t * (pb[1] - pa[1])
                for fwd in (True, False):
                    n += 1
                    hdg = heading(pa, pb) if fwd else heading(pb, pa)
                    off = 0.0002 if fwd else -0.0002
                    out.append(
                        camera(
                            f"WPR-{n:05d}",
                            f"{road} km {t * km:.1f} ({'+' if fwd else '-'})",
                            "fixed",
                            lat + off,
                            lon,
                            hdg,
                            road,
                            zones,
                            "federal-motorways",
                            lanes=3,
                        )
                    )
    return out


def vehicle_cameras(zones: ZoneMap, rng) -> list[dict]:
    out = []
    for i, (code, _, _, centre, _) in enumerate(TOWNS * 12):
        lat, lon = centre[0] + rng.uniform(-0.02, 0.02), centre[1] + rng.uniform(-0.02, 0.02)
        out.append(
            camera(
                f"VEH-{i + 1:04d}",
                f"patrol vehicle {code} #{i // len(TOWNS) + 1}",
                "mobile",
                lat,
                lon,
                None,
                "",
                zones,
                "police-vehicles",
            )
        )
    return out


def main() -> None:
    rng = random.Random(20261130)
    zones_doc = zones_geojson()
    (ROOT / "data/zones/belgium.geojson").write_text(json.dumps(zones_doc, separators=(",", ":")) + "\n")
    zones = ZoneMap(zones_from_geojson(zones_doc))
    town = {code: (centre, half) for code, _, _, centre, half in TOWNS}
    towns = sorted(town)
    networks = {
        "brussels-lez": (
            {
                "name": "Brussels Capital Region LEZ",
                "kind": "region",
                "contact": "anpr@lez.brussels.example",
                "zones": sorted(BXL_NAMES),
            },
            [{**c, "network": "brussels-lez"} for c in BRUSSELS],
        ),
        "antwerpen-lez": (
            {
                "name": "Stad Antwerpen LEZ",
                "kind": "city",
                "contact": "anpr@antwerpen.example",
                "zones": ["ANT-5345"],
            },
            city_cameras("ANT", "antwerpen-lez", *town["ANT-5345"], 260, zones, rng),
        ),
        "gent-lez": (
            {"name": "Stad Gent LEZ", "kind": "city", "contact": "anpr@gent.example", "zones": ["GNT-5415"]},
            city_cameras("GNT", "gent-lez", *town["GNT-5415"], 180, zones, rng),
        ),
        "federal-motorways": (
            {
                "name": "Federal highway police network",
                "kind": "motorway",
                "contact": "wpr-anpr@police.example",
                "zones": [FEDERAL[0]],
            },
            motorway_cameras(zones, rng),
        ),
        "police-vehicles": (
            {
                "name": "Local police vehicles",
                "kind": "vehicles",
                "contact": "fleet@police.example",
                "zones": towns,
            },
            vehicle_cameras(zones, rng),
        ),
    }
    total = 0
    for nid, (net, cams) in networks.items():
        doc = {"network": {"network_id": nid, **net}, "cameras": cams}
        (ROOT / f"data/networks/{nid}.json").write_text(json.dumps(doc, indent=0, ensure_ascii=False) + "\n")
        total += len(cams)
        print(f"{nid}: {len(cams)} cameras")
    kept = sum(zones.zone_at(c["lat"], c["lon"]) == c["zone"] for c in BRUSSELS)
    print(
        f"{len(zones)} zones, {len(networks)} networks, {total} cameras; "
        f"Brussels cameras whose position lies in their zone: {kept}/{len(BRUSSELS)}"
    )


if __name__ == "__main__":
    main()
