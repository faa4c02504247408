// Ops: the camera networks and every registered camera on the offline map, coloured by health
// (GET /cameras/health: silent in its usual hours, snapshots quarantined in 24 h, no snapshot yet),
// the alarms these raise (silent cameras, quarantining cameras, refused uploads), counts per
// status and zone, the audit chain's verification, and each camera's and network's
// upload-to-read latency (p50/p95 of this hour and the last) against the goal.
import { call } from "../api/client";
import type { Camera } from "../api/types";
import { current, may } from "../auth";
import { lang, t } from "../i18n";
import { renderMap, type Marker } from "../map";
import { errorText } from "../shell";
import { formatTime, h, replace } from "../ui";
import { cameraIndex } from "./cameras";
import { num, tc, type ConsoleKey } from "./messages";

interface Network {
  network_id: string;
  name?: string;
  zones?: string[];
  status?: string;
  has_credential?: boolean;
}

/** GET /cameras/health (anpr.networks.service.HealthService): no plates. */
interface CameraHealth {
  camera_id: string;
  name: string;
  network: string;
  zone: string;
  lat: number;
  lon: number;
  status: string;
  health: "ok" | "silent" | "quarantining" | "never" | "maintenance" | "retired";
  last_seen_ms: number | null;
  silent_minutes: number | null;
  quarantined: Record<string, number>;
  latency: Latency | null;
}
/** anpr.networks.latency.summary: upper bounds of fixed classes; null: above 5 min. */
interface Latency {
  n: number;
  p50_ms: number | null;
  p95_ms: number | null;
  state: "ok" | "slow" | "late";
}
interface NetworkHealth {
  network_id: string;
  cameras: number;
  silent: number;
  quarantined: number;
  refused_uploads: Record<string, number>;
  latency: Latency | null;
}
interface Alarm {
  kind: "silent" | "quarantining" | "refused_uploads";
  camera_id?: string;
  network: string;
  minutes?: number;
  count?: number;
  reasons?: Record<string, number>;
}
interface Health {
  cameras: CameraHealth[];
  networks: NetworkHealth[];
  alarms: Alarm[];
  latency_goal: { p95_ms: number; late_ms: number };
}

export function opsScreen(el: HTMLElement): void {
  const map = h("figure", { id: "ops-map" });
  const counts = h("div", { id: "ops-counts" });
  const networks = h("div", { id: "ops-networks" });
  const alarms = h("div", { id: "ops-alarms", role: "status" });
  const attention = h("div", { id: "ops-attention" });
  const latencies = h("div", { id: "ops-latency-box" });
  const verify = h("p", { id: "verify", role: "status" });
  const withHealth = may(current(), "GET /cameras/health");
  replace(
    el,
    h("h2", null, tc("ops.title")),
    h(
      "div",
      { class: "split" },
      h(
        "div",
        null,
        withHealth ? [h("h3", null, tc("alarms.title")), alarms] : null,
        counts,
        h("h3", null, t("audit.verify")),
        verify,
      ),
      map,
    ),
    h("h3", null, tc("ops.networks")),
    networks,
    withHealth ? [h("h3", null, tc("health.attention")), attention, h("h3", null, tc("lat.title")), latencies, h("p", { class: "muted" }, tc("health.latency"))] : null,
  );
  const health: Promise<Health | null> = withHealth ? call("get", "/cameras/health") : Promise.resolve(null);
  Promise.all([cameraIndex(), health])
    .then(([cams, hl]) => {
      const all = [...cams.values()];
      const state = new Map((hl?.cameras ?? []).map((c) => [c.camera_id, c]));
      const markers: Marker[] = all.map((c) => {
        const s = state.get(c.camera_id);
        const what = s ? healthText(s.health) + (s.latency ? `, p95 ${ms(s.latency.p95_ms)}` : "") : c.status;
        return { lat: c.lat, lon: c.lon, label: `${c.camera_id} ${c.name} (${what})`, kind: c.status === "active" ? "camera" : "camera-off" };
      });
      const svg = renderMap(markers, [], tc("ops.title"));
      // the marker's health as a class (and a larger dot for what needs attention)
      svg.querySelectorAll<SVGGElement>("g.marker").forEach((g) => {
        const s = state.get(all[Number(g.dataset.index)].camera_id);
        if (!s) return;
        g.classList.add(`health-${s.health}`);
        if (s.health === "silent" || s.health === "quarantining") g.querySelector("circle")?.setAttribute("r", "6");
        // a camera whose reads come later than the goal: a ring in the goal's colour
        if (s.latency && s.latency.state !== "ok") {
          g.classList.add(`latency-ring-${s.latency.state}`);
          g.querySelector("circle")?.setAttribute("r", "6");
        }
      });
      replace(map, svg, h("figcaption", null, tc(hl ? "health.legend" : "ops.legend"), hl ? ` ${tc("lat.legend")}` : null));
      replace(counts, statusTable(all));
      if (hl) {
        replace(alarms, alarmList(hl.alarms));
        replace(attention, attentionTable(hl.cameras));
        replace(latencies, latencyTable(hl));
      }
    })
    .catch((err) => replace(counts, h("p", { class: "error" }, errorText(err))));
  if (may(current(), "GET /networks"))
    Promise.all([call("get", "/networks"), health])
      .then(([{ networks: list }, hl]: [{ networks: Network[] }, Health | null]) => {
        const figures = new Map((hl?.networks ?? []).map((n) => [n.network_id, n]));
        const extra = (n: Network) => {
          const f = figures.get(n.network_id);
          return hl ? [f ? `${num(f.silent)} / ${num(f.cameras)}` : "", f ? num(f.quarantined) : "", f ? reasons(f.refused_uploads) || "0" : "", latencyCell(f?.latency ?? null)] : [];
        };
        replace(
          networks,
          list.length
            ? h(
                "div",
                { class: "table-wrap" },
                h(
                "table",
                { id: "ops-network-table" },
                h("thead", null, h("tr", null, ["ID", tc("ops.name"), t("col.zones"), t("col.status"), tc("ops.key"), ...(hl ? [tc("health.silentHead"), tc("health.quarantined"), tc("health.refused"), tc("lat.head")] : [])].map((c) => h("th", { scope: "col" }, c)))),
                h("tbody", null, list.map((n) => h("tr", { "data-network": n.network_id }, [n.network_id, n.name ?? "", (n.zones ?? []).join(", "), n.status ?? "", n.has_credential ? "✓" : "✗", ...extra(n)].map((v) => (v instanceof Node ? v : h("td", null, v)))))),
                ),
              )
            : h("p", { id: "ops-no-networks" }, tc("ops.noNetworks")),
        );
      })
      .catch((err) => replace(networks, h("p", { class: "error" }, errorText(err))));
  if (may(current(), "GET /audit/verify"))
    call("get", "/audit/verify")
      .then((v) => {
        verify.textContent = v.ok ? t("audit.verifyOk", { n: v.records ?? v.checked ?? "" }) : t("audit.verifyBroken", { detail: JSON.stringify(v) });
        verify.className = v.ok ? "ok" : "error";
      })
      .catch((err) => (verify.textContent = errorText(err)));
}

/** Cameras per zone and status (active, maintenance, retired). */
function statusTable(cams: Camera[]): HTMLElement {
  const statuses = [...new Set(cams.map((c) => c.status))].sort();
  const zones = new Map<string, Map<string, number>>();
  for (const c of cams) {
    const z = zones.get(c.zone) ?? new Map<string, number>();
    z.set(c.status, (z.get(c.status) ?? 0) + 1);
    zones.set(c.zone, z);
  }
  const total = (s: string) => cams.filter((c) => c.status === s).length;
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { id: "ops-status" },
      h("thead", null, h("tr", null, h("th", { scope: "col" }, tc("ops.zone")), statuses.map((s) => h("th", { scope: "col" }, s)))),
      h(
        "tbody",
        null,
        h("tr", { class: "total" }, h("th", { scope: "row" }, tc("ops.all")), statuses.map((s) => h("td", { "data-status": s }, String(total(s))))),
        [...zones.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([zone, by]) => h("tr", null, h("th", { scope: "row" }, zone), statuses.map((s) => h("td", null, String(by.get(s) ?? 0))))),
      ),
    ),
  );
}

function healthText(state: CameraHealth["health"]): string {
  return tc(`health.${state}` as ConsoleKey);
}

/** "too_large 2, corrupt_image 1" */
function reasons(by: Record<string, number> | undefined): string {
  return Object.entries(by ?? {})
    .sort(([, a], [, b]) => b - a)
    .map(([r, n]) => `${r} ${num(n)}`)
    .join(", ");
}

function alarmList(alarms: Alarm[]): HTMLElement {
  if (!alarms.length) return h("p", { id: "ops-no-alarms", class: "ok" }, tc("alarms.none"));
  const text = (a: Alarm) => {
    const vars = { camera: a.camera_id ?? "", network: a.network || "–", minutes: num(a.minutes ?? 0), count: num(a.count ?? 0), reasons: reasons(a.reasons) };
    if (a.kind === "silent") return tc("alarms.silent", vars);
    return tc(a.kind === "quarantining" ? "alarms.quarantining" : "alarms.refused", vars);
  };
  return h("ul", { class: "alarms" }, alarms.map((a) => h("li", { class: `alarm alarm-${a.kind}`, "data-kind": a.kind }, text(a))));
}

/** The cameras that are silent or quarantining: what ops should look at first. */
function attentionTable(cams: CameraHealth[]): HTMLElement {
  const bad = cams.filter((c) => c.health === "silent" || c.health === "quarantining");
  if (!bad.length) return h("p", { id: "ops-all-well", class: "ok" }, tc("health.allWell"));
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { id: "ops-health" },
      h("thead", null, h("tr", null, [t("col.camera"), tc("health.network"), tc("ops.zone"), tc("health.state"), tc("health.lastSeen"), tc("health.quarantined")].map((c) => h("th", { scope: "col" }, c)))),
      h(
        "tbody",
        null,
        bad.map((c) =>
          h(
            "tr",
            { "data-camera": c.camera_id, class: `health-${c.health}` },
            h("td", null, c.name && c.name !== c.camera_id ? `${c.camera_id} ${c.name}` : c.camera_id),
            h("td", null, c.network || "–"),
            h("td", null, c.zone),
            h("td", { "data-health": c.health }, healthText(c.health) + (c.silent_minutes != null ? ` (${num(c.silent_minutes)} min)` : "")),
            h("td", null, c.last_seen_ms != null ? formatTime(c.last_seen_ms, lang()) : "–"),
            h("td", null, reasons(c.quarantined)),
          ),
        ),
      ),
    ),
  );
}

/** "500 ms", "2 s" */
function duration(v: number): string {
  return v < 1000 ? `${num(v)} ms` : `${num(v / 1000)} s`;
}

/** "≤ 500 ms", "≤ 2 s", "> 5 min": a class's upper bound (null: above the last class). */
function ms(v: number | null): string {
  return v === null ? "> 5 min" : `≤ ${duration(v)}`;
}

function latencyCell(l: Latency | null): HTMLElement {
  if (!l) return h("td", { class: "muted" }, "–");
  return h("td", { class: `latency-${l.state}`, "data-latency": l.state, title: tc(`lat.${l.state}` as ConsoleKey) }, `${ms(l.p50_ms)} / ${ms(l.p95_ms)}`);
}

/** Every camera with reads in the last hour or two, slowest first, coloured against the goal. */
function latencyTable(hl: Health): HTMLElement {
  const goal = h("p", { class: "muted", id: "ops-latency-goal" }, tc("lat.goal", { goal: duration(hl.latency_goal.p95_ms), late: duration(hl.latency_goal.late_ms) }));
  const rank = (l: Latency) => (l.p95_ms === null ? Infinity : l.p95_ms);
  const cams = hl.cameras.filter((c): c is CameraHealth & { latency: Latency } => !!c.latency).sort((a, b) => rank(b.latency) - rank(a.latency) || b.latency.n - a.latency.n);
  if (!cams.length) return h("div", null, h("p", { id: "ops-no-latency" }, tc("lat.none")), goal);
  return h(
    "div",
    null,
    goal,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { id: "ops-latency" },
        h("thead", null, h("tr", null, h("th", { scope: "col" }, t("col.camera")), h("th", { scope: "col" }, tc("health.network")), h("th", { scope: "col" }, tc("ops.zone")), h("th", { scope: "col", class: "num" }, tc("lat.reads")), h("th", { scope: "col" }, tc("lat.head")), h("th", { scope: "col" }, tc("lat.state")))),
        h(
          "tbody",
          null,
          cams.map((c) =>
            h(
              "tr",
              { "data-camera": c.camera_id },
              h("td", null, c.name && c.name !== c.camera_id ? `${c.camera_id} ${c.name}` : c.camera_id),
              h("td", null, c.network || "–"),
              h("td", null, c.zone),
              h("td", { class: "num" }, num(c.latency.n)),
              latencyCell(c.latency),
              h("td", { class: `latency-${c.latency.state}` }, tc(`lat.${c.latency.state}` as ConsoleKey)),
            ),
          ),
        ),
      ),
    ),
  );
}
