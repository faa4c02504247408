// The console: investigators' searches, auditors' oversight, supervisors' probes, the watchlist.
// Each screen appears only for the roles the API allows (x-roles of the operation it calls).
import "../style.css";
import "./console.css";
import { call } from "../api/client";
import type { AccessRow, Camera, ConvoyPartner, Probe, SearchJob, SearchResults, Sighting } from "../api/types";
import { current, may, type Operation, type Session } from "../auth";
import { lang, t, type MessageKey } from "../i18n";
import { renderMap, timeline, type Marker, type TimedPoint, type Track } from "../map";
import { boot, errorText } from "../shell";
import { formatTime, fromLocalInput, h, replace, submitForm, toLocalInput } from "../ui";
import { cameraIndex } from "./cameras";
import { barChart } from "./charts";
import { followUpScreen } from "./followup";
import { holdPicker, type Justification } from "./holds";
import { num, tc } from "./messages";
import { opsScreen } from "./ops";
import { quarantineScreen } from "./quarantine";
import { watchlistScreen } from "./watchlist";

const DAY_MS = 86_400_000;
const SCREENS: { id: string; label: () => string; needs: Operation; render: (el: HTMLElement) => void }[] = [
  { id: "search", label: () => t("menu.search"), needs: "POST /searches", render: searchScreen },
  { id: "audit", label: () => t("menu.audit"), needs: "GET /audit/plates/{plate}/accesses", render: auditScreen },
  { id: "probes", label: () => t("menu.probes"), needs: "POST /probes/{probe_id}/answer", render: probesScreen },
  { id: "followup", label: () => tc("menu.followup"), needs: "GET /alerts/follow-up", render: followUpScreen },
  { id: "watchlist", label: () => t("menu.watchlist"), needs: "GET /watchlist", render: watchlistScreen },
  { id: "ops", label: () => tc("menu.ops"), needs: "GET /networks", render: opsScreen },
  { id: "quarantine", label: () => tc("menu.quarantine"), needs: "GET /quarantine", render: quarantineScreen },
];

function render(main: HTMLElement, session: Session): void {
  const allowed = SCREENS.filter((s) => may(session, s.needs));
  if (!allowed.length) {
    replace(main, h("p", { id: "no-screens" }, t("menu.none")));
    return;
  }
  const wanted = location.hash.slice(1);
  const active = allowed.find((s) => s.id === wanted) ?? allowed[0];
  const body = h("section", { id: `screen-${active.id}` });
  const nav = h(
    "nav",
    { "aria-label": "menu" },
    allowed.map((s) =>
      h("a", { href: `#${s.id}`, id: `menu-${s.id}`, "aria-current": s === active ? "page" : false }, s.label()),
    ),
  );
  replace(main, nav, body);
  active.render(body);
}

window.addEventListener("hashchange", () => {
  const main = document.getElementById("main");
  const session = current();
  if (main && session) render(main, session);
});

// -- investigators ------------------------------------------------------------------------

type SearchType = "trajectory" | "partial" | "place" | "ab" | "convoy";
const TYPES: SearchType[] = ["trajectory", "partial", "place", "ab", "convoy"];

function field(label: MessageKey, input: HTMLElement): HTMLElement {
  return h("label", null, t(label), input);
}

function searchScreen(el: HTMLElement): void {
  const now = Date.now();
  const type = h(
    "select",
    { id: "search-type" },
    TYPES.map((ty) => h("option", { value: ty }, t(`search.type.${ty}` as MessageKey))),
  );
  const plate = h("input", { id: "plate", autocomplete: "off" });
  const pattern = h("input", { id: "pattern", autocomplete: "off" });
  const cams = h("input", { id: "cameras" });
  const camsB = h("input", { id: "cameras-b" });
  const from = h("input", { id: "from", type: "datetime-local", value: toLocalInput(now - DAY_MS) });
  const to = h("input", { id: "to", type: "datetime-local", value: toLocalInput(now + 60_000) });
  const windowS = h("input", { id: "window-s", type: "number", value: "120", min: "5", max: "1800" });
  const minCams = h("input", { id: "min-cameras", type: "number", value: "3", min: "2", max: "50" });
  const caseRef = h("input", { id: "case-ref", required: true, maxlength: 64 });
  const reason = h("textarea", { id: "reason", required: true, maxlength: 1000, rows: 2 });
  const prosecutor = h("input", { id: "prosecutor-ref", maxlength: 64 });
  const prosecutorBox = h("div", { class: "warn", hidden: true }, h("p", null, t("search.prosecutorNeeded")), field("search.prosecutorRef", prosecutor));
  const specific = h("div", { class: "specific" });
  const status = h("p", { id: "job-status", role: "status" });
  const out = h("div", { id: "results" });

  const layout = () => {
    const ty = type.value as SearchType;
    replace(
      specific,
      ty === "trajectory" || ty === "convoy" ? field("search.plate", plate) : null,
      ty === "partial" ? field("search.pattern", pattern) : null,
      ty === "place" ? field("search.cameras", cams) : null,
      ty === "ab" ? [field("search.camerasA", cams), field("search.camerasB", camsB)] : null,
      ty === "convoy" ? [field("search.windowS", windowS), field("search.minCameras", minCams)] : null,
    );
  };
  const estimateBox = h("div", { id: "estimate", class: "estimate", "aria-live": "polite" });
  let needsProsecutor = false; // from the API's estimate: a convoy's control days reach further back
  const ageRule = () => {
    prosecutorBox.hidden = !(needsProsecutor || fromLocalInput(from.value) < Date.now() - 30 * DAY_MS);
  };
  type.addEventListener("change", layout);
  from.addEventListener("change", ageRule);
  layout();

  const params = (): Record<string, unknown> => {
    const window = { start_ms: fromLocalInput(from.value), end_ms: fromLocalInput(to.value) };
    const list = (v: string) => v.split(",").map((s) => s.trim()).filter(Boolean);
    switch (type.value as SearchType) {
      case "trajectory":
        return { plate: plate.value.trim(), ...window };
      case "partial":
        return { pattern: pattern.value.trim(), ...window };
      case "place":
        return { cameras: list(cams.value), ...window };
      case "ab":
        return { a: { cameras: list(cams.value), ...window }, b: { cameras: list(camsB.value), ...window } };
      case "convoy":
        return { plate: plate.value.trim(), window_s: Number(windowS.value), min_cameras: Number(minCams.value), ...window };
    }
  };

  // the cost and the age rule, asked of the API (POST /searches/estimate) once the query is complete
  const complete = (): boolean => {
    switch (type.value as SearchType) {
      case "trajectory":
      case "convoy":
        return plate.value.trim().length >= 2;
      case "partial":
        return pattern.value.trim().length >= 2;
      case "place":
        return !!cams.value.trim();
      case "ab":
        return !!cams.value.trim() && !!camsB.value.trim();
    }
  };
  let timer: number | undefined;
  let asked = 0;
  const refreshEstimate = () => {
    clearTimeout(timer);
    timer = window.setTimeout(async () => {
      if (!complete()) {
        needsProsecutor = false;
        ageRule();
        return replace(estimateBox);
      }
      const mine = ++asked;
      try {
        const est: Estimate = await call("post", "/searches/estimate", { body: { type: type.value as SearchType, params: params() } });
        if (mine !== asked) return; // a newer question is on its way
        needsProsecutor = est.age.needs_prosecutor_ref;
        ageRule();
        replace(estimateBox, estimateView(est));
      } catch (err) {
        if (mine === asked) replace(estimateBox, h("p", { class: "error" }, errorText(err)));
      }
    }, 350);
  };

  const form = h(
    "form",
    {
      class: "card",
      id: "search-form",
      oninput: refreshEstimate,
      onchange: refreshEstimate,
      onsubmit: async (e: Event) => {
        e.preventDefault();
        replace(out);
        status.textContent = "…";
        try {
          const job: SearchJob = await call("post", "/searches", {
            body: {
              type: type.value as SearchType,
              params: params(),
              case_ref: caseRef.value.trim(),
              reason: reason.value.trim(),
              prosecutor_ref: prosecutorBox.hidden ? null : prosecutor.value.trim() || null,
            },
          });
          const done = await follow(job, status);
          const justification: Justification = {
            case_ref: caseRef.value.trim(),
            reason: reason.value.trim(),
            prosecutor_ref: prosecutorBox.hidden ? null : prosecutor.value.trim() || null,
          };
          if (done.status === "SUCCEEDED") await showResults(done, out, justification);
        } catch (err) {
          status.textContent = errorText(err);
        }
      },
    },
    field("search.type", type),
    specific,
    h("div", { class: "row" }, field("search.from", from), field("search.to", to)),
    field("search.caseRef", caseRef),
    field("search.reason", reason),
    prosecutorBox,
    estimateBox,
    h("button", { type: "submit", id: "run-search" }, t("search.submit")),
  );
  replace(el, form, status, out);
}

interface Estimate {
  estimate: { partitions: number; read_units: number; map: string; upper_bound: boolean; engine?: string; reason?: string; scan_bytes?: number; athena_usd?: number };
  bounds: { user_read_units_per_day: number };
  spent_today: number;
  refusal: string | null;
  age: { days: number; admin_window_days: number; retention_days: number; needs_prosecutor_ref: boolean; beyond_retention: boolean };
}

function estimateView(e: Estimate): HTMLElement {
  const a = e.age;
  const rule = a.beyond_retention
    ? h("p", { class: "error", id: "estimate-age" }, tc("estimate.ageRetention", { retention: a.retention_days }))
    : a.needs_prosecutor_ref
      ? h("p", { class: "warn", id: "estimate-age" }, tc("estimate.ageProsecutor", { window: a.admin_window_days }))
      : h("p", { id: "estimate-age" }, tc("estimate.ageOk", { window: a.admin_window_days }));
  return h(
    "div",
    { class: "card" },
    h("h3", null, tc("estimate.title")),
    h(
      "p",
      { id: "estimate-cost" },
      tc("estimate.cost", {
        partitions: num(e.estimate.partitions),
        units: num(e.estimate.read_units),
        map: e.estimate.map,
        upper: e.estimate.upper_bound ? tc("estimate.upper") : "",
      }),
    ),
    e.estimate.reason ? h("p", { id: "estimate-engine" }, tc("estimate.engine", { engine: e.estimate.engine ?? "", reason: e.estimate.reason })) : null,
    h("p", null, tc("estimate.today", { spent: num(e.spent_today), bound: num(e.bounds.user_read_units_per_day) })),
    h("p", null, tc("estimate.age", { days: a.days })),
    rule,
    e.refusal ? h("p", { class: "error", id: "estimate-refusal" }, tc("estimate.refused", { why: e.refusal })) : null,
  );
}

async function follow(job: SearchJob, status: HTMLElement): Promise<SearchJob> {
  for (;;) {
    status.textContent = t("search.status", {
      status: job.status,
      done: job.progress?.partitions_done ?? 0,
      total: job.progress?.partitions_total ?? 0,
      count: job.result_count,
    });
    if (!["QUEUED", "RUNNING"].includes(job.status)) {
      if (job.error) status.textContent += ` — ${job.error}`;
      return job;
    }
    await new Promise((r) => setTimeout(r, 700));
    job = await call("get", "/searches/{job_id}", { path: { job_id: job.job_id } });
  }
}

/** One point of a vehicle's sightings in a search (anpr.search.service: ``track``, ``target``). */
interface TrackPoint {
  read_id: string;
  capture_ms: number;
  camera_id: string;
  lat: number;
  lon: number;
}
/** What the results route adds to each row: its plate crop (a short-lived link), a vehicle's track. */
interface RowExtras {
  crop_url?: string | null;
  crop_read_id?: string | null;
  track?: TrackPoint[];
}
type Results = SearchResults & { target?: (TrackPoint & { plate: string })[] };

async function showResults(job: SearchJob, out: HTMLElement, justification: Justification): Promise<void> {
  const [res, cams]: [Results, Map<string, Camera>] = await Promise.all([
    call("get", "/searches/{job_id}/results", { path: { job_id: job.job_id }, query: { page_size: 1000 } }),
    cameraIndex(),
  ]);
  const exports = h(
    "div",
    { class: "exports" },
    t("search.export"),
    (["csv", "geojson", "kml", "html", "png"] as const).map((fmt) =>
      h("button", { type: "button", class: "link", id: `export-${fmt}`, onclick: () => download(job.job_id, fmt) }, fmt.toUpperCase()),
    ),
  );
  if (!res.items.length) {
    replace(out, h("p", null, t("search.noResults")));
    return;
  }
  const cameraMarkers: Marker[] = [...cams.values()].map((c) => ({ lat: c.lat, lon: c.lon, label: `${c.camera_id} ${c.name}`, kind: "camera" }));
  const figure = h("figure", { id: "map" });
  let table: HTMLElement;
  const slider = h("div", { id: "time-slider-slot" }); // under the map: its time slider
  let below: HTMLElement | null = null; // under the table and map
  let overview: HTMLElement | null = null; // a read's overview image, on demand
  const label = (plate: string) => (p: TimedPoint) => `${plate} ${formatTime(p.capture_ms, lang())} ${p.camera_id}`;
  if (job.type === "trajectory") {
    const items = res.items as (Sighting & RowExtras)[];
    const track: Track<Sighting> = { points: items, marker: "sighting", line: "trajectory", label: (s) => label(s.plate)(s) };
    timedMap(figure, slider, cameraMarkers, [track]);
    const holds = holdPicker(items, justification);
    overview = h("figure", { id: "overview", hidden: true });
    table = tableOf(
      ["col.plate", "col.time", "col.camera", "col.direction", "col.confidence"],
      items.map((s) => {
        const c = cams.get(s.camera_id);
        return [s.plate, formatTime(s.capture_ms, lang()), c ? `${s.camera_id} — ${c.name}` : s.camera_id, c ? direction(c) : "", `${Math.round(s.confidence * 100)} %`];
      }),
      { title: holds.panel ? tc("hold.col") : "", cells: items.map((s) => [holds.box(s), overviewButton(job.job_id, s, overview)]) },
      items.map((s) => cropCell(s, s.plate, s.camera_id, s.capture_ms)),
    );
    below = holds.panel;
  } else {
    const items = res.items as (ConvoyPartner & RowExtras & { reads?: number; cameras: number | string[] })[];
    const target = job.type === "convoy" ? (res.target ?? []) : [];
    // a vehicle's sightings on the map, in time order: the first-ranked one first, any other on
    // demand; under a convoy's partner, the tracked vehicle's own trajectory; one time slider
    // over both, started again at the last sighting for each row shown
    const show = (v: (typeof items)[number], rank: number) => {
      const convoy = job.type === "convoy";
      const tracks: Track[] = [];
      if (target.length) tracks.push({ points: target, marker: "target", line: "target", label: label(target[0].plate) });
      const track = v.track ?? [];
      const kind = convoy ? "partner" : "sighting";
      const untimed: Marker[] = []; // a row without its sightings: its cameras, at any time
      if (track.length) tracks.push({ points: track, marker: kind, line: convoy ? "partner" : "trajectory", label: label(v.plate) });
      else
        for (const id of Array.isArray(v.cameras) ? v.cameras : (v.camera_ids ?? [])) {
          const c = cams.get(id);
          if (c) untimed.push({ lat: c.lat, lon: c.lon, label: `${v.plate} ${id}`, kind });
        }
      const caption = convoy
        ? [
            h("span", { id: "map-caption-partner" }, `${rank === 0 ? `${t("map.partner")} — ` : ""}${tc("map.partnerOf", { plate: v.plate, n: track.length })}`),
            target.length ? h("span", { id: "map-caption-target" }, ` · ${tc("map.target", { plate: target[0].plate })}`) : null,
            h("br", null),
            h("small", { class: "muted" }, tc("map.legendConvoy")),
          ]
        : v.plate;
      timedMap(figure, slider, [...cameraMarkers, ...untimed], tracks, caption);
    };
    if (items.length) show(items[0], 0);
    const cropOf = (v: (typeof items)[number]) => {
      const p = (v.track ?? []).find((x) => x.read_id === v.crop_read_id);
      return cropCell(v, v.plate, p?.camera_id ?? "", p?.capture_ms ?? v.last_ms);
    };
    table = tableOf(
      job.type === "convoy"
        ? ["col.plate", "col.score", "col.cameras", "col.first", "col.last"]
        : ["col.plate", "col.reads", "col.cameras", "col.first", "col.last"],
      items.map((v) => [
        v.plate,
        job.type === "convoy" ? String(v.score) : String(v.reads ?? ""),
        Array.isArray(v.cameras) ? v.cameras.join(", ") : `${v.cameras} (${(v.camera_ids ?? []).join(", ")})`,
        formatTime(v.first_ms, lang()),
        formatTime(v.last_ms, lang()),
      ]),
      { title: "", cells: items.map((v, i) => [h("button", { type: "button", class: "link on-map", onclick: () => show(v, i) }, tc("results.onMap"))]) },
      items.map(cropOf),
    );
  }
  replace(
    out,
    h("h2", null, t("search.results", { total: res.total })),
    exports,
    h("div", { class: "split" }, h("div", { class: "table-wrap" }, table), h("div", null, figure, slider, overview)),
    below,
  );
}

/** A results map and its time slider (keyboard: arrow keys, Home, End), for every search type:
 * the slider steps through all the tracks' sightings merged in time order (a convoy: the target's
 * and the chosen partner's) and the map draws each track up to the chosen one, markers and lines.
 * Each call starts again at the last sighting (another row's "Map"); no slider without sightings. */
function timedMap(figure: HTMLElement, slot: HTMLElement, base: Marker[], tracks: Track[], caption: Node | string | (Node | null)[] | null = null): void {
  const line = timeline(tracks);
  const range = h("input", { id: "time-slider", type: "range", min: "1", max: String(line.total), value: String(line.total), step: "1" });
  const text = h("output", { id: "time-slider-text", for: "time-slider" });
  const draw = () => {
    const n = line.total ? Number(range.value) : 0;
    const shown = line.upTo(n);
    replace(figure, renderMap([...base, ...shown.markers], shown.lines, t("map.title")), caption ? h("figcaption", { id: "map-caption" }, caption) : null);
    const at = line.at(n);
    text.textContent = at === undefined ? "" : tc("slider.upTo", { time: formatTime(at, lang()), n, total: line.total });
  };
  range.addEventListener("input", draw);
  draw();
  replace(slot, line.total ? h("label", { class: "slider" }, tc(tracks.filter((k) => k.points.length).length > 1 ? "slider.labelBoth" : "slider.label"), range, text) : null);
}

/** A row's plate crop: loaded lazily (only the rows scrolled to), the link expires in minutes;
 * the API audited the page that listed it. */
function cropCell(row: RowExtras, plate: string, cameraId: string, ms: number): Node {
  if (!row.crop_url) return h("span", { class: "muted no-crop" }, tc("crop.none"));
  const alt = tc("crop.alt", { plate, camera: cameraId, time: formatTime(ms, lang()) });
  // loading before src: an image whose src is set first starts loading at once
  return h("img", { loading: "lazy", decoding: "async", class: "plate-crop", alt, src: row.crop_url });
}

function direction(c: Camera): string {
  if (c.heading === null || c.heading === undefined) return c.road;
  const points = ["N", "NE", "E", "SE", "S", "SW", "W", "NW"];
  return `${c.road} ${points[Math.round(c.heading / 45) % 8]}`;
}

async function download(jobId: string, fmt: "csv" | "geojson" | "kml" | "html" | "png"): Promise<void> {
  const blob: Blob = await call("get", "/searches/{job_id}/results", {
    path: { job_id: jobId },
    query: { format: fmt, inline: true },
    accept: "blob",
  });
  const a = h("a", { href: URL.createObjectURL(blob), download: `search-${jobId}.${fmt}` });
  document.body.append(a);
  a.click();
  a.remove();
}

/** The overview image of one result read, on demand: each view is audited by the API. */
function overviewButton(jobId: string, s: Sighting, into: HTMLElement | null): HTMLElement | null {
  if (!s.read_id || !into) return null;
  const show = async () => {
    into.hidden = false;
    try {
      const img: { url: string } = await call("get", "/searches/{job_id}/reads/{read_id}/image", { path: { job_id: jobId, read_id: s.read_id! } });
      const caption = `${s.plate} — ${s.camera_id} — ${formatTime(s.capture_ms, lang())}`;
      replace(into, h("img", { src: img.url, alt: caption, id: "overview-img" }), h("figcaption", null, caption));
    } catch (err) {
      replace(into, h("p", { class: "error" }, errorText(err)));
    }
  };
  return h("button", { type: "button", class: "link overview-btn", title: tc("overview.show"), onclick: show }, tc("overview.short"));
}

/** A table of text cells; ``lead``: a first column of controls (legal-hold tick box, overview);
 * ``crops``: each row's plate image, the last column (the issue's order: plate ... confidence, crop). */
function tableOf(cols: MessageKey[], rows: string[][], lead?: { title: string; cells: (Node | null)[][] }, crops?: Node[]): HTMLElement {
  return h(
    "table",
    null,
    h(
      "thead",
      null,
      h("tr", null, lead ? h("th", { scope: "col" }, lead.title) : null, cols.map((c) => h("th", { scope: "col" }, t(c))), crops ? h("th", { scope: "col" }, tc("col.crop")) : null),
    ),
    h(
      "tbody",
      null,
      rows.map((r, i) => h("tr", null, lead ? h("td", null, lead.cells[i]) : null, r.map((v) => h("td", null, v)), crops ? h("td", { class: "crop-cell" }, crops[i]) : null)),
    ),
  );
}

// -- auditors -----------------------------------------------------------------------------

function auditScreen(el: HTMLElement): void {
  const plate = h("input", { id: "audit-plate", required: true });
  const caseRef = h("input", { id: "audit-case-ref", required: true });
  const reason = h("input", { id: "audit-reason", required: true });
  const periodFrom = h("input", { id: "audit-from", type: "date" });
  const periodTo = h("input", { id: "audit-to", type: "date" });
  const out = h("div", { id: "accesses" });
  const verify = h("p", { id: "verify", role: "status" });
  const figures = h("div", { id: "transparency" });
  const form = submitForm(
    { class: "card" },
    async () => {
      try {
        const report = await call("get", "/audit/plates/{plate}/accesses", {
          path: { plate: plate.value.trim().toUpperCase() },
          query: {
            case_ref: caseRef.value.trim(),
            reason: reason.value.trim(),
            ...(periodFrom.value ? { from: `${periodFrom.value}T00:00:00Z` } : {}),
            ...(periodTo.value ? { to: `${periodTo.value}T23:59:59Z` } : {}),
          },
        });
        replace(out, accessLog(report.accesses as AccessRow[]));
      } catch (err) {
        replace(out, h("p", { class: "error" }, errorText(err)));
      }
    },
    h("h2", null, t("audit.who")),
    h("div", { class: "row" }, field("search.plate", plate), field("search.caseRef", caseRef), field("search.reason", reason)),
    h("div", { class: "row" }, h("label", null, tc("audit.periodFrom"), periodFrom), h("label", null, tc("audit.periodTo"), periodTo)),
    h("button", { type: "submit", id: "audit-lookup" }, t("audit.lookup")),
  );
  replace(el, form, out, may(current(), "GET /audit/accesses") ? accessLogForm() : null, h("h2", null, t("audit.verify")), verify, h("h2", null, t("audit.transparency")), figures);
  call("get", "/audit/verify")
    .then((v) => {
      verify.textContent = v.ok ? t("audit.verifyOk", { n: v.records ?? v.checked ?? "" }) : t("audit.verifyBroken", { detail: JSON.stringify(v) });
      verify.className = v.ok ? "ok" : "error";
    })
    .catch((err) => (verify.textContent = errorText(err)));
  call("get", "/transparency")
    .then((rep) => replace(figures, chartsOf(rep), figuresOf(rep)))
    .catch((err) => replace(figures, h("p", { class: "error" }, errorText(err))));
}

/** The accesses to a plate with filters on person, case and action (the period is the API's). */
function accessLog(rows: AccessRow[]): HTMLElement {
  const person = h("input", { id: "filter-person", autocomplete: "off" });
  const caseRef = h("input", { id: "filter-case", autocomplete: "off" });
  const action = h("select", { id: "filter-action" }, h("option", { value: "" }, "—"), [...new Set(rows.map((r) => r.action))].sort().map((a) => h("option", { value: a }, a)));
  const shown = h("p", { id: "accesses-shown" });
  const body = h("div", { class: "table-wrap" });
  const has = (v: string | null | undefined, q: string) => !q || (v ?? "").toLowerCase().includes(q.toLowerCase());
  const draw = () => {
    const kept = rows.filter((r) => has(`${r.actor_name} ${r.actor_id}`, person.value.trim()) && has(r.case_ref, caseRef.value.trim()) && (!action.value || r.action === action.value));
    shown.textContent = `${t("audit.accesses", { n: rows.length })} — ${tc("audit.shown", { n: kept.length, total: rows.length })}`;
    replace(body, accessTable(kept));
  };
  for (const input of [person, caseRef, action]) input.addEventListener("input", draw);
  draw();
  return h(
    "div",
    null,
    h("fieldset", { class: "row filters" }, h("legend", null, tc("audit.filters")), h("label", null, tc("audit.person"), person), h("label", null, tc("audit.case"), caseRef), h("label", null, tc("audit.action"), action)),
    shown,
    body,
  );
}

function accessTable(rows: AccessRow[]): HTMLElement {
  return tableOf(
    ["col.time", "col.person", "col.action", "col.case", "col.reason", "col.intact"],
    rows.map((r) => [formatTime(Date.parse(r.at), lang()), r.actor_name || r.actor_id, r.action, r.case_ref ?? "", r.reason ?? "", r.intact ? "✓" : "✗"]),
  );
}

/** The whole access log of a period, filtered by the API (GET /audit/accesses: justified, audited). */
function accessLogForm(): HTMLElement {
  const input = (id: string, type = "text") => h("input", { id, type, autocomplete: "off" });
  const caseRef = input("log-case-ref");
  const reason = input("log-reason");
  const from = input("log-from", "date");
  const to = input("log-to", "date");
  const person = input("log-person");
  const caseFilter = input("log-case");
  const action = input("log-action");
  const out = h("div", { id: "access-log" });
  caseRef.required = reason.required = true;
  return submitForm(
    { class: "card", id: "access-log-form" },
    async () => {
      try {
        const log = await call("get", "/audit/accesses", {
          query: {
            case_ref: caseRef.value.trim(),
            reason: reason.value.trim(),
            person: person.value.trim(),
            case: caseFilter.value.trim(),
            action: action.value.trim(),
            ...(from.value ? { from: from.value } : {}),
            ...(to.value ? { to: to.value } : {}),
          },
        });
        const rows = log.accesses as AccessRow[];
        replace(out, h("p", { id: "access-log-count" }, tc("audit.shown", { n: rows.length, total: log.total })), h("div", { class: "table-wrap" }, accessTable(rows)));
      } catch (err) {
        replace(out, h("p", { class: "error" }, errorText(err)));
      }
    },
    h("h2", null, tc("log.title")),
    h("div", { class: "row" }, field("search.caseRef", caseRef), field("search.reason", reason)),
    h(
      "div",
      { class: "row" },
      h("label", null, tc("audit.person"), person),
      h("label", null, tc("audit.case"), caseFilter),
      h("label", null, tc("audit.action"), action),
      h("label", null, tc("audit.periodFrom"), from),
      h("label", null, tc("audit.periodTo"), to),
    ),
    h("button", { type: "submit", id: "access-log-run" }, tc("log.run")),
    out,
  );
}

/** Bar charts of the transparency report's breakdowns (searches, alert outcomes, zones, probes). */
function chartsOf(rep: Record<string, unknown>): HTMLElement {
  const numbers = (o: unknown): [string, number][] =>
    Object.entries((o ?? {}) as Record<string, unknown>)
      .filter(([, v]) => typeof v === "number")
      .map(([k, v]) => [k.replace(/_/g, " "), v as number]);
  const searches = rep.searches as { by_type?: Record<string, number> } | undefined;
  type Zone = { follow_up_rate: number | null };
  const alerts = rep.alerts as { by_outcome?: Record<string, number>; follow_up_by_zone?: Record<string, Zone>; by_zone?: Record<string, Zone> } | undefined;
  const zones = Object.entries(alerts?.follow_up_by_zone ?? alerts?.by_zone ?? {})
    .filter(([, z]) => z.follow_up_rate !== null)
    .map(([zone, z]): [string, number] => [zone, Math.round((z.follow_up_rate as number) * 100)]);
  return h(
    "div",
    { class: "charts", id: "charts" },
    barChart(tc("chart.searches"), numbers(searches?.by_type)),
    barChart(tc("chart.outcomes"), numbers(alerts?.by_outcome)),
    barChart(tc("chart.zones"), zones, 100),
    barChart(tc("chart.probes"), numbers(rep.probes)),
  );
}

function figuresOf(rep: Record<string, unknown>): HTMLElement {
  const rows = Object.entries(rep).filter(([, v]) => typeof v === "number" || typeof v === "string");
  const nested = Object.entries(rep).filter(([, v]) => v && typeof v === "object" && !Array.isArray(v));
  return h(
    "dl",
    { class: "figures" },
    rows.map(([k, v]) => [h("dt", null, k.replace(/_/g, " ")), h("dd", null, String(v))]),
    nested.map(([k, v]) => [h("dt", null, k.replace(/_/g, " ")), h("dd", null, Object.entries(v as object).map(([a, b]) => `${a}: ${typeof b === "object" ? JSON.stringify(b) : b}`).join(" · "))]),
  );
}

// -- supervisors --------------------------------------------------------------------------

function probesScreen(el: HTMLElement): void {
  const list = h("div", { id: "probes" });
  replace(el, h("h2", null, t("probes.title")), list);
  const load = async () => {
    try {
      const { probes } = (await call("get", "/probes")) as { probes: Probe[] };
      if (!probes.length) return replace(list, h("p", null, t("probes.none")));
      replace(list, probes.map((p) => probeCard(p, load)));
    } catch (err) {
      replace(list, h("p", { class: "error" }, errorText(err)));
    }
  };
  load();
}

function probeCard(p: Probe, reload: () => void): HTMLElement {
  const verdict = h("select", null, h("option", { value: "justified" }, t("probes.justified")), h("option", { value: "not_justified" }, t("probes.notJustified")));
  const comment = h("textarea", { rows: 2, minlength: 3, required: true });
  const msg = h("p", { class: "error" });
  return submitForm(
    { class: "card probe" },
    async () => {
      try {
        await call("post", "/probes/{probe_id}/answer", { path: { probe_id: p.probe_id }, body: { verdict: verdict.value, comment: comment.value } as never });
        reload();
      } catch (err) {
        msg.textContent = errorText(err);
      }
    },
    h(
      "dl",
      { class: "figures" },
      h("dt", null, t("col.searcher")), h("dd", null, p.searcher_name || p.searcher_id),
      h("dt", null, t("col.case")), h("dd", null, p.case_ref ?? ""),
      h("dt", null, t("col.reason")), h("dd", null, p.reason ?? ""),
      h("dt", null, t("col.time")), h("dd", null, formatTime(p.searched_at_ms, lang())),
      h("dt", null, t("col.due")), h("dd", null, formatTime(p.due_ms, lang())),
      h("dt", null, t("col.status")), h("dd", null, p.status + (p.verdict ? ` (${p.verdict})` : "")),
    ),
    p.status === "open" ? [field("probes.verdict", verdict), field("probes.comment", comment), h("button", { type: "submit" }, t("probes.answer")), msg] : null,
  );
}

boot({ title: "app.console", render });
