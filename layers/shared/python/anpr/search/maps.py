"""Offline maps of a search: PNG (Pillow) and a self-contained HTML page (inline SVG).

No tile server, no script, no network: a base layer of streets (the Brussels road network
bundled as ``basemap.json``, or any list of segments given), camera names, the route in time
order, a scale bar and a north arrow, and a table of sightings in Brussels time with plate crops
(inline ``data:`` images) where the caller has them. Works on an air-gapped evidence laptop and
prints as-is.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw

from anpr.search.exports import _provenance_lines, alternatives, camera_label, local
from anpr.search.models import SearchResult

PALETTE = ((200, 30, 30), (30, 90, 200), (20, 140, 60), (160, 60, 170), (230, 120, 0), (0, 140, 150))
MAX_ROUTES = 6
BACKGROUND = (248, 248, 244)
#: streets of the base layer: major roads a little darker than the others
STREET = (200, 200, 196)
MAJOR_STREET = (176, 176, 170)
MAJOR_CLASSES = frozenset({"ring", "motorway", "inner_ring"})
BASEMAP_FILE = Path(__file__).with_name("basemap.json")
#: a street segment: (lat1, lon1, lat2, lon2, road class)
Segment = tuple[float, float, float, float, str]
_M_PER_DEG_LAT = 111_320.0


@cache
def bundled_basemap() -> tuple[Segment, ...]:
    """The Brussels streets exported from the simulator's road network (``anpr search basemap``)."""
    if not BASEMAP_FILE.exists():
        return ()
    doc = json.loads(BASEMAP_FILE.read_text())
    return tuple((a, b, c, d, str(k)) for a, b, c, d, k in doc["segments"])


class _Projection:
    """Equirectangular around the data's centre; fits the bounding box with a margin."""

    def __init__(
        self, points: list[tuple[float, float]], width: int, height: int, margin: int = 40, top: int = 0
    ):
        lats = [p[0] for p in points] or [50.85]
        lons = [p[1] for p in points] or [4.35]
        self.k = math.cos(math.radians((min(lats) + max(lats)) / 2))
        self.x0, self.y1 = min(lons) * self.k, max(lats)
        span_x = max((max(lons) - min(lons)) * self.k, 2e-3)
        span_y = max(max(lats) - min(lats), 2e-3)
        self.scale = min((width - 2 * margin) / span_x, (height - top - 2 * margin) / span_y)
        self.ox = margin + ((width - 2 * margin) - span_x * self.scale) / 2
        self.oy = top + margin + ((height - top - 2 * margin) - span_y * self.scale) / 2

    def __call__(self, lat: float, lon: float) -> tuple[float, float]:
        return self.ox + (lon * self.k - self.x0) * self.scale, self.oy + (self.y1 - lat) * self.scale

    @property
    def px_per_m(self) -> float:
        return self.scale / _M_PER_DEG_LAT


def scale_bar_m(px_per_m: float, target_px: float = 120) -> int:
    """A round length (1, 2 or 5 × 10ⁿ metres) close to ``target_px`` pixels."""
    raw = target_px / px_per_m
    exp = 10 ** math.floor(math.log10(raw))
    return int(max((m * exp for m in (1, 2, 5) if m * exp <= raw), default=exp))


class Labels:
    """Greedy label placement: each label takes the first of eight spots around its anchor that
    overlaps no label (or marker) placed before it, inside the frame; else it is left out."""

    OFFSETS = ((8, -14), (8, 4), (-8, -14), (-8, 4), (-4, -22), (-4, 10), (14, -5), (-14, -5))

    def __init__(self, frame: tuple[float, float, float, float]):
        self.frame = frame
        self.boxes: list[tuple[float, float, float, float]] = []

    def block(self, box: tuple[float, float, float, float]) -> None:
        self.boxes.append(box)

    @staticmethod
    def _overlap(a, b) -> bool:
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    def place(self, x: float, y: float, w: float, h: float) -> tuple[float, float] | None:
        fx0, fy0, fx1, fy1 = self.frame
        for dx, dy in self.OFFSETS:
            left = x + dx if dx >= 0 else x + dx - w
            box = (left, y + dy, left + w, y + dy + h)
            inside = box[0] >= fx0 and box[1] >= fy0 and box[2] <= fx1 and box[3] <= fy1
            if inside and not any(self._overlap(box, b) for b in self.boxes):
                self.boxes.append(box)
                return box[0], box[1]
        return None


def _short(text: str, limit: int = 48) -> str:
    """A map label: whole words, at most ``limit`` characters."""
    if len(text) <= limit:
        return text
    return text[: limit - 3].rsplit(" ", 1)[0] + "..."


def _routes(result: SearchResult) -> list[tuple[str, list]]:
    routes: dict[str, list] = {}
    for s in result.sightings:
        routes.setdefault(s.plate, []).append(s)
    ranked = [i["plate"] for i in result.items if "plate" in i and "read_id" not in i]
    order = list(dict.fromkeys(ranked + list(routes)))
    return [(p, routes[p]) for p in order if p in routes][:MAX_ROUTES]


def _cameras(result: SearchResult) -> dict[str, tuple[float, float]]:
    return {s.camera_id: (s.lat, s.lon) for s in result.sightings}


def _draw_north_arrow(d: ImageDraw.ImageDraw, x: float, y: float) -> None:
    d.polygon([(x, y), (x - 9, y + 26), (x, y + 20), (x + 9, y + 26)], fill=(40, 40, 40))
    d.text((x - 4, y + 28), "N", fill=(40, 40, 40))


def _draw_scale_bar(d: ImageDraw.ImageDraw, x: float, y: float, px_per_m: float) -> int:
    metres = scale_bar_m(px_per_m)
    length = metres * px_per_m
    d.rectangle((x, y, x + length, y + 5), outline=(40, 40, 40), fill=(255, 255, 255))
    d.rectangle((x, y, x + length / 2, y + 5), fill=(40, 40, 40))
    d.text((x, y + 8), f"{metres / 1000:g} km" if metres >= 1000 else f"{metres} m", fill=(40, 40, 40))
    return metres


def to_png(
    result: SearchResult,
    width: int = 1000,
    height: int = 760,
    places: Mapping[str, str] | None = None,
    base: Iterable[Segment] | None = None,
) -> bytes:
    """The map: streets, cameras by name, routes numbered in time order, scale, north, and the
    provenance in words above it (wrapped, never cut)."""
    header = [
        wrapped
        for line in _provenance_lines(result, places)
        for wrapped in textwrap.wrap(line, 160, subsequent_indent="    ")
    ]
    top = 12 + 13 * len(header)
    legend = 16 * min(len(_routes(result)), MAX_ROUTES) + 12
    height = max(height, top + 400 + legend)
    img = Image.new("RGB", (width, height), BACKGROUND)
    d = ImageDraw.Draw(img)
    cams = _cameras(result)
    map_bottom = height - legend
    proj = _Projection(list(cams.values()), width, map_bottom, top=top)
    d.rectangle((0, top, width, map_bottom), fill=BACKGROUND)
    for lat1, lon1, lat2, lon2, kind in bundled_basemap() if base is None else base:
        major = kind in MAJOR_CLASSES
        d.line(
            [proj(lat1, lon1), proj(lat2, lon2)],
            fill=MAJOR_STREET if major else STREET,
            width=4 if major else 2,
        )
    labels = Labels((0, top, width, map_bottom))
    for n, (plate, ss) in enumerate(_routes(result)):
        colour = PALETTE[n % len(PALETTE)]
        pts = [proj(s.lat, s.lon) for s in ss]
        if len(pts) > 1:
            d.line(pts, fill=colour, width=3)
        for x, y in pts:
            d.ellipse((x - 5, y - 5, x + 5, y + 5), fill=colour)
            labels.block((x - 5, y - 5, x + 5, y + 5))
    for x, y in (proj(lat, lon) for lat, lon in cams.values()):
        d.rectangle((x - 4, y - 4, x + 4, y + 4), outline=(60, 60, 60))
        labels.block((x - 4, y - 4, x + 4, y + 4))
    routes = _routes(result)
    if routes and len(routes[0][1]) <= 60:  # sequence numbers of the first route first
        colour = PALETTE[0]
        for i, s in enumerate(routes[0][1]):
            x, y = proj(s.lat, s.lon)
            text = str(i + 1)
            spot = labels.place(x, y, 7 * len(text), 11)
            if spot:
                d.text(spot, text, fill=colour)
    for cid, (lat, lon) in cams.items():
        x, y = proj(lat, lon)
        text = _short(camera_label(cid, places))
        spot = labels.place(x, y, 6 * len(text), 11)
        if spot:
            d.text(spot, text, fill=(60, 60, 60))
    _draw_north_arrow(d, width - 30, top + 10)
    _draw_scale_bar(d, 16, map_bottom - 28, proj.px_per_m)
    for n, (plate, ss) in enumerate(routes):
        colour = PALETTE[n % len(PALETTE)]
        span = f"{local(ss[0].capture_ms)} to {local(ss[-1].capture_ms)}"
        d.text((10, map_bottom + 4 + 16 * n), f"{plate}: {len(ss)} sightings, {span}", fill=colour)
    for i, line in enumerate(header):
        d.text((10, 6 + 13 * i), line, fill=(0, 0, 0))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _crop_cell(crop: bytes | None) -> str:
    if not crop:
        return "<td></td>"
    kind = "png" if crop.startswith(b"\x89PNG") else "jpeg"
    data = base64.b64encode(crop).decode()
    return f'<td><img alt="plate crop" height="40" src="data:image/{kind};base64,{data}"></td>'


def to_html(
    result: SearchResult,
    width: int = 1000,
    height: int = 680,
    places: Mapping[str, str] | None = None,
    crops: Mapping[str, bytes] | None = None,
    base: Sequence[Segment] | None = None,
) -> str:
    """One self-contained page: provenance in words, an SVG map with streets, a table with the
    plate crop of each read (``crops``: read id → image bytes, inlined as ``data:`` URIs)."""
    cams = _cameras(result)
    proj = _Projection(list(cams.values()), width, height)
    svg = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" style="background:#f8f8f4;border:1px solid #ccc">'
        )
    ]
    for lat1, lon1, lat2, lon2, kind in bundled_basemap() if base is None else base:
        (x1, y1), (x2, y2) = proj(lat1, lon1), proj(lat2, lon2)
        colour, w = ("#b0b0aa", 4) if kind in MAJOR_CLASSES else ("#c8c8c4", 2)
        svg.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" stroke-width="{w}"/>'
        )
    for n, (plate, ss) in enumerate(_routes(result)):
        colour = "rgb({},{},{})".format(*PALETTE[n % len(PALETTE)])
        pts = " ".join("{:.1f},{:.1f}".format(*proj(s.lat, s.lon)) for s in ss)
        svg.append(
            f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="3" opacity="0.8">'
            f"<title>{html.escape(plate)}</title></polyline>"
        )
        for i, s in enumerate(ss):
            x, y = proj(s.lat, s.lon)
            title = f"{i + 1}. {s.plate} {local(s.capture_ms)} {camera_label(s.camera_id, places)}"
            svg.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"><title>{html.escape(title)}</title></circle>'
            )
    labels = Labels((0, 0, width, height))
    for cid, (lat, lon) in cams.items():
        x, y = proj(lat, lon)
        text = _short(camera_label(cid, places))
        svg.append(f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="none" stroke="#444"/>')
        spot = labels.place(x, y, 6 * len(text), 11)
        if spot:
            svg.append(
                f'<text x="{spot[0]:.1f}" y="{spot[1] + 10:.1f}" font-size="11" fill="#444">{html.escape(text)}</text>'
            )
    metres = scale_bar_m(proj.px_per_m)
    bar = metres * proj.px_per_m
    svg.append(
        f'<rect x="16" y="{height - 30}" width="{bar:.1f}" height="5" fill="#fff" stroke="#333"/>'
        f'<text x="16" y="{height - 12}" font-size="11">{metres / 1000:g} km</text>'
        f'<polygon points="{width - 30},10 {width - 39},36 {width - 30},30 {width - 21},36" fill="#333"/>'
        f'<text x="{width - 34}" y="50" font-size="12">N</text>'
    )
    svg.append("</svg>")
    rows = "".join(
        f"<tr><td>{i + 1}</td><td>{html.escape(s.plate)}</td>{_crop_cell((crops or {}).get(s.read_id))}"
        f"<td>{html.escape(local(s.capture_ms))}</td><td>{html.escape(camera_label(s.camera_id, places))}</td>"
        f"<td>{s.lat:.5f}, {s.lon:.5f}</td><td>{s.confidence:.2f}</td>"
        f"<td>{html.escape(', '.join(alternatives(s)))}</td></tr>"
        for i, s in enumerate(result.sightings[:2000])
    )
    prov = "".join(f"<li>{html.escape(line)}</li>" for line in _provenance_lines(result, places))
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>Search {html.escape(result.provenance['job_id'])}</title>"
        "<style>body{font-family:sans-serif;margin:16px}table{border-collapse:collapse;font-size:12px}"
        "td,th{border:1px solid #ccc;padding:2px 6px}</style></head><body>"
        f"<h1>Search {html.escape(result.provenance['job_id'])}</h1><ul>{prov}</ul>"
        + "".join(svg)
        + "<table><tr><th>#</th><th>plate</th><th>crop</th><th>time (Brussels)</th><th>camera</th>"
        "<th>position</th><th>conf.</th><th>alternatives (reads below 0.8)</th></tr>"
        f"{rows}</table></body></html>"
    )
