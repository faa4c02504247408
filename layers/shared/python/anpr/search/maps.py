"""Offline maps of a search: PNG (Pillow) and a self-contained HTML page (inline SVG).

No tile server, no script, no network: camera positions, the route in time order, and a
table of sightings. Works on an air-gapped evidence laptop and prints as-is.
"""

from __future__ import annotations

import html
import io
import math

from PIL import Image, ImageDraw

from anpr.search.exports import _provenance_lines, iso
from anpr.search.models import SearchResult

PALETTE = ((200, 30, 30), (30, 90, 200), (20, 140, 60), (160, 60, 170), (230, 120, 0), (0, 140, 150))
MAX_ROUTES = 6


class _Projection:
    """Equirectangular around the data's centre; fits the bounding box with a margin."""

    def __init__(self, points: list[tuple[float, float]], width: int, height: int, margin: int = 40):
        lats = [p[0] for p in points] or [50.85]
        lons = [p[1] for p in points] or [4.35]
        self.k = math.cos(math.radians((min(lats) + max(lats)) / 2))
        self.x0, self.y1 = min(lons) * self.k, max(lats)
        span_x = max((max(lons) - min(lons)) * self.k, 1e-4)
        span_y = max(max(lats) - min(lats), 1e-4)
        self.scale = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
        self.ox = margin + ((width - 2 * margin) - span_x * self.scale) / 2
        self.oy = margin + ((height - 2 * margin) - span_y * self.scale) / 2

    def __call__(self, lat: float, lon: float) -> tuple[float, float]:
        return self.ox + (lon * self.k - self.x0) * self.scale, self.oy + (self.y1 - lat) * self.scale


def _routes(result: SearchResult) -> list[tuple[str, list]]:
    routes: dict[str, list] = {}
    for s in result.sightings:
        routes.setdefault(s.plate, []).append(s)
    ranked = [i["plate"] for i in result.items if "plate" in i and "read_id" not in i]
    order = list(dict.fromkeys(ranked + list(routes)))
    return [(p, routes[p]) for p in order if p in routes][:MAX_ROUTES]


def _cameras(result: SearchResult) -> dict[str, tuple[float, float]]:
    return {s.camera_id: (s.lat, s.lon) for s in result.sightings}


def to_png(result: SearchResult, width: int = 1000, height: int = 760) -> bytes:
    img = Image.new("RGB", (width, height), (248, 248, 244))
    d = ImageDraw.Draw(img)
    cams = _cameras(result)
    proj = _Projection(list(cams.values()), width, height - 80)
    for cid, (lat, lon) in cams.items():
        x, y = proj(lat, lon)
        d.rectangle((x - 4, y - 4, x + 4, y + 4), outline=(60, 60, 60), fill=(255, 255, 255))
        d.text((x + 6, y - 6), cid, fill=(60, 60, 60))
    for n, (plate, ss) in enumerate(_routes(result)):
        colour = PALETTE[n % len(PALETTE)]
        pts = [proj(s.lat, s.lon) for s in ss]
        if len(pts) > 1:
            d.line(pts, fill=colour, width=3)
        for i, (x, y) in enumerate(pts):
            d.ellipse((x - 5, y - 5, x + 5, y + 5), fill=colour)
            if len(result.items) and n == 0 and len(pts) <= 60:
                d.text((x + 6, y + 4), str(i + 1), fill=colour)
        d.text((10, height - 70 + 14 * (n % 4)), f"{plate}: {len(ss)} sightings", fill=colour)
    for i, line in enumerate(_provenance_lines(result)[:3] + _provenance_lines(result)[3:4]):
        d.text((10, 8 + 13 * i), line[:150], fill=(0, 0, 0))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def to_html(result: SearchResult, width: int = 1000, height: int = 680) -> str:
    cams = _cameras(result)
    proj = _Projection(list(cams.values()), width, height)
    svg = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" style="background:#f8f8f4;border:1px solid #ccc">'
        )
    ]
    for n, (plate, ss) in enumerate(_routes(result)):
        colour = "rgb({},{},{})".format(*PALETTE[n % len(PALETTE)])
        pts = " ".join("{:.1f},{:.1f}".format(*proj(s.lat, s.lon)) for s in ss)
        svg.append(
            f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="3" opacity="0.8">'
            f"<title>{html.escape(plate)}</title></polyline>"
        )
        for i, s in enumerate(ss):
            x, y = proj(s.lat, s.lon)
            svg.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"><title>'
                f"{html.escape(f'{i + 1}. {s.plate} {iso(s.capture_ms)} {s.camera_id}')}</title></circle>"
            )
    for cid, (lat, lon) in cams.items():
        x, y = proj(lat, lon)
        svg.append(
            f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="none" stroke="#444"/>'
            f'<text x="{x + 7:.1f}" y="{y - 6:.1f}" font-size="11" fill="#444">{html.escape(cid)}</text>'
        )
    svg.append("</svg>")
    rows = "".join(
        f"<tr><td>{i + 1}</td><td>{html.escape(s.plate)}</td><td>{iso(s.capture_ms)}</td>"
        f"<td>{html.escape(s.camera_id)}</td><td>{s.lat:.5f}, {s.lon:.5f}</td><td>{s.confidence:.2f}</td>"
        f"<td>{html.escape(', '.join(s.alternatives))}</td></tr>"
        for i, s in enumerate(result.sightings[:2000])
    )
    prov = "".join(f"<li>{html.escape(line)}</li>" for line in _provenance_lines(result))
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>Search {html.escape(result.provenance['job_id'])}</title>"
        "<style>body{font-family:sans-serif;margin:16px}table{border-collapse:collapse;font-size:12px}"
        "td,th{border:1px solid #ccc;padding:2px 6px}</style></head><body>"
        f"<h1>Search {html.escape(result.provenance['job_id'])}</h1><ul>{prov}</ul>"
        + "".join(svg)
        + "<table><tr><th>#</th><th>plate</th><th>time (UTC)</th><th>camera</th><th>position</th>"
        f"<th>conf.</th><th>alternatives</th></tr>{rows}</table></body></html>"
    )
