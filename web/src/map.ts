// An offline map: the Brussels road network (generated from the simulator's roads, bundled) as
// SVG lines, cameras as markers, trajectories as polylines in time order. No tile server.
import basemap from "./generated/basemap.json";

const NS = "http://www.w3.org/2000/svg";
const W = 800;
const H = 600;

interface Road {
  name: string;
  kind: string;
  points: [number, number][];
  closed: boolean;
}

export interface Marker {
  lat: number;
  lon: number;
  label: string;
  kind?: "camera" | "sighting" | "partner" | "target" | "camera-off";
}

export interface Line {
  points: { lat: number; lon: number }[];
  /** trajectory: a searched vehicle; target: a convoy's tracked vehicle, under its partner's */
  kind: "trajectory" | "partner" | "target";
}

/** A sighting on a results map: where and when (the time orders it on the time slider). */
export interface TimedPoint {
  lat: number;
  lon: number;
  capture_ms: number;
  camera_id: string;
}

/** One vehicle's sightings on a results map: its markers' kind and label, its line's kind. */
export interface Track<P extends TimedPoint = TimedPoint> {
  points: P[];
  marker: Marker["kind"];
  line: Line["kind"];
  /** a marker's title (a method: a track of richer points, such as sightings, is still a Track) */
  label(p: P): string;
}

/** What a results map's time slider steps through: every track's sightings merged in time order
 * (a tie keeps the tracks' order). ``upTo(n)`` draws each track with its points among the first n
 * of that order, still in time order; ``at(n)`` is the n-th sighting's time. */
export interface Timeline {
  total: number;
  at: (n: number) => number | undefined;
  upTo: (n: number) => { markers: Marker[]; lines: Line[] };
}

export function timeline(tracks: Track[]): Timeline {
  const byTime = (a: TimedPoint, b: TimedPoint) => a.capture_ms - b.capture_ms;
  const sorted = tracks.map((t) => [...t.points].sort(byTime));
  const order = sorted
    .flatMap((points, track) => points.map((point, i) => ({ track, i, point })))
    .sort((a, b) => byTime(a.point, b.point) || a.track - b.track || a.i - b.i);
  return {
    total: order.length,
    at: (n) => order[n - 1]?.point.capture_ms,
    upTo(n) {
      const shown: TimedPoint[][] = tracks.map(() => []);
      for (const o of order.slice(0, Math.max(0, n))) shown[o.track].push(o.point);
      // each track's shown points are in time order already: order is sorted by time
      return {
        markers: tracks.flatMap((t, k) => shown[k].map((p): Marker => ({ lat: p.lat, lon: p.lon, label: t.label(p), kind: t.marker }))),
        lines: tracks.flatMap((t, k): Line[] => (shown[k].length > 1 ? [{ points: shown[k], kind: t.line }] : [])),
      };
    },
  };
}

const roads = basemap.roads as Road[];
const all = roads.flatMap((r) => r.points);
const bounds = {
  minLat: Math.min(...all.map((p) => p[0])) - 0.01,
  maxLat: Math.max(...all.map((p) => p[0])) + 0.01,
  minLon: Math.min(...all.map((p) => p[1])) - 0.01,
  maxLon: Math.max(...all.map((p) => p[1])) + 0.01,
};
const kx = Math.cos(((bounds.minLat + bounds.maxLat) / 2) * (Math.PI / 180));
const scale = Math.min(W / ((bounds.maxLon - bounds.minLon) * kx), H / (bounds.maxLat - bounds.minLat));

export function project(lat: number, lon: number): [number, number] {
  return [(lon - bounds.minLon) * kx * scale, (bounds.maxLat - lat) * scale];
}

function el(tag: string, attrs: Record<string, string | number>): SVGElement {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

function path(points: [number, number][], closed: boolean): string {
  const d = points.map(([lat, lon], i) => `${i ? "L" : "M"}${project(lat, lon).map((v) => v.toFixed(1)).join(",")}`);
  return d.join("") + (closed ? "Z" : "");
}

export function renderMap(markers: Marker[], lines: Line[] = [], title = ""): SVGSVGElement {
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, class: "map", role: "img" }) as SVGSVGElement;
  if (title) svg.setAttribute("aria-label", title);
  const base = el("g", { class: "basemap" });
  for (const r of roads) {
    const p = el("path", { d: path(r.points, r.closed), class: `road road-${r.kind}` });
    p.appendChild(Object.assign(document.createElementNS(NS, "title"), { textContent: r.name }));
    base.appendChild(p);
  }
  svg.appendChild(base);
  for (const line of lines) {
    svg.appendChild(
      el("path", {
        d: path(line.points.map((p) => [p.lat, p.lon]), false),
        class: `line line-${line.kind}`,
        "marker-end": "url(#arrow)",
      }),
    );
  }
  const defs = el("defs", {});
  const arrow = el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 8, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse" });
  arrow.appendChild(el("path", { d: "M0,0L10,5L0,10z", class: "arrowhead" }));
  defs.appendChild(arrow);
  svg.appendChild(defs);
  let order = 0;
  markers.forEach((m, i) => {
    const [x, y] = project(m.lat, m.lon);
    const g = el("g", { class: `marker marker-${m.kind ?? "camera"}`, "data-index": i });
    g.appendChild(el("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: m.kind === "camera" || m.kind === "camera-off" ? 3 : 6 }));
    if (m.kind === "sighting") {
      const label = el("text", { x: (x + 8).toFixed(1), y: (y - 6).toFixed(1) });
      label.textContent = String(++order);
      g.appendChild(label);
    }
    g.appendChild(Object.assign(document.createElementNS(NS, "title"), { textContent: m.label }));
    svg.appendChild(g);
  });
  return svg;
}
