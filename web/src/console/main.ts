// The console: investigators' searches, auditors' oversight, supervisors' probes, the watchlist.
// Each screen appears only for the roles the API allows (x-roles of the operation it calls).
import "../style.css";
import { ApiError, call } from "../api/client";
import type { AccessRow, Camera, ConvoyPartner, Probe, SearchJob, SearchResults, Sighting, WatchlistEntry } from "../api/types";
import { current, may, type Operation, type Session } from "../auth";
import { lang, t, tDynamic, type MessageKey } from "../i18n";
import { renderMap, type Line, type Marker } from "../map";
import { boot, errorText } from "../shell";
import { formatTime, fromLocalInput, h, replace, toLocalInput } from "../ui";

const DAY_MS = 86_400_000;
const SCREENS: { id: string; label: MessageKey; needs: Operation; render: (el: HTMLElement) => void }[] = [
  { id: "search", label: "menu.search", needs: "POST /searches", render: searchScreen },
  { id: "audit", label: "menu.audit", needs: "GET /audit/plates/{plate}/accesses", render: auditScreen },
  { id: "probes", label: "menu.probes", needs: "POST /probes/{probe_id}/answer", render: probesScreen },
  { id: "watchlist", label: "menu.watchlist", needs: "GET /watchlist", render: watchlistScreen },
];

let cameras: Map<string, Camera> | null = null;
async function cameraIndex(): Promise<Map<string, Camera>> {
  if (!cameras) {
    const body = await call("get", "/cameras");
    cameras = new Map((body.cameras as Camera[]).map((c) => [c.camera_id, c]));
  }
  return cameras;
}

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
      h("a", { href: `#${s.id}`, id: `menu-${s.id}`, "aria-current": s === active ? "page" : false }, t(s.label)),
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
  const ageRule = () => {
    prosecutorBox.hidden = !(fromLocalInput(from.value) < Date.now() - 30 * DAY_MS);
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

  const form = h(
    "form",
    {
      class: "card",
      id: "search-form",
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
          if (done.status === "SUCCEEDED") await showResults(done, out);
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
    h("button", { type: "submit", id: "run-search" }, t("search.submit")),
  );
  replace(el, form, status, out);
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

async function showResults(job: SearchJob, out: HTMLElement): Promise<void> {
  const [res, cams]: [SearchResults, Map<string, Camera>] = await Promise.all([
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
  const markers: Marker[] = [...cams.values()].map((c) => ({ lat: c.lat, lon: c.lon, label: `${c.camera_id} ${c.name}`, kind: "camera" }));
  const lines: Line[] = [];
  let table: HTMLElement;
  if (job.type === "trajectory") {
    const items = res.items as Sighting[];
    items.forEach((s) => markers.push({ lat: s.lat, lon: s.lon, label: `${s.plate} ${formatTime(s.capture_ms, lang())} ${s.camera_id}`, kind: "sighting" }));
    lines.push({ points: items, kind: "trajectory" });
    table = tableOf(
      ["col.plate", "col.time", "col.camera", "col.direction", "col.confidence"],
      items.map((s) => {
        const c = cams.get(s.camera_id);
        return [s.plate, formatTime(s.capture_ms, lang()), c ? `${s.camera_id} — ${c.name}` : s.camera_id, c ? direction(c) : "", `${Math.round(s.confidence * 100)} %`];
      }),
    );
  } else {
    const items = res.items as (ConvoyPartner & { reads?: number; cameras: number | string[] })[];
    const first = items[0];
    const firstCams = first ? (Array.isArray(first.cameras) ? first.cameras : first.camera_ids) : [];
    for (const id of firstCams ?? []) {
      const c = cams.get(id);
      if (c) markers.push({ lat: c.lat, lon: c.lon, label: `${first.plate} ${id}`, kind: job.type === "convoy" ? "partner" : "sighting" });
    }
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
    );
  }
  replace(
    out,
    h("h2", null, t("search.results", { total: res.total })),
    exports,
    h("div", { class: "split" }, h("div", { class: "table-wrap" }, table), h("figure", { id: "map" }, renderMap(markers, lines, t("map.title")), job.type === "convoy" ? h("figcaption", null, t("map.partner")) : null)),
  );
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

function tableOf(cols: MessageKey[], rows: string[][]): HTMLElement {
  return h(
    "table",
    null,
    h("thead", null, h("tr", null, cols.map((c) => h("th", { scope: "col" }, t(c))))),
    h("tbody", null, rows.map((r) => h("tr", null, r.map((v) => h("td", null, v))))),
  );
}

// -- auditors -----------------------------------------------------------------------------

function auditScreen(el: HTMLElement): void {
  const plate = h("input", { id: "audit-plate", required: true });
  const caseRef = h("input", { id: "audit-case-ref", required: true });
  const reason = h("input", { id: "audit-reason", required: true });
  const out = h("div", { id: "accesses" });
  const verify = h("p", { id: "verify", role: "status" });
  const figures = h("div", { id: "transparency" });
  const form = h(
    "form",
    {
      class: "card",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        try {
          const report = await call("get", "/audit/plates/{plate}/accesses", {
            path: { plate: plate.value.trim().toUpperCase() },
            query: { case_ref: caseRef.value.trim(), reason: reason.value.trim() },
          });
          const rows = report.accesses as AccessRow[];
          replace(
            out,
            h("p", null, t("audit.accesses", { n: rows.length })),
            tableOf(
              ["col.time", "col.person", "col.action", "col.case", "col.reason", "col.intact"],
              rows.map((r) => [formatTime(Date.parse(r.at), lang()), r.actor_name || r.actor_id, r.action, r.case_ref ?? "", r.reason ?? "", r.intact ? "✓" : "✗"]),
            ),
          );
        } catch (err) {
          replace(out, h("p", { class: "error" }, errorText(err)));
        }
      },
    },
    h("h2", null, t("audit.who")),
    field("search.plate", plate),
    field("search.caseRef", caseRef),
    field("search.reason", reason),
    h("button", { type: "submit", id: "audit-lookup" }, t("audit.lookup")),
  );
  replace(el, form, out, h("h2", null, t("audit.verify")), verify, h("h2", null, t("audit.transparency")), figures);
  call("get", "/audit/verify")
    .then((v) => {
      verify.textContent = v.ok ? t("audit.verifyOk", { n: v.records ?? v.checked ?? "" }) : t("audit.verifyBroken", { detail: JSON.stringify(v) });
      verify.className = v.ok ? "ok" : "error";
    })
    .catch((err) => (verify.textContent = errorText(err)));
  call("get", "/transparency")
    .then((rep) => replace(figures, figuresOf(rep)))
    .catch((err) => replace(figures, h("p", { class: "error" }, errorText(err))));
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
  return h(
    "form",
    {
      class: "card probe",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        try {
          await call("post", "/probes/{probe_id}/answer", { path: { probe_id: p.probe_id }, body: { verdict: verdict.value, comment: comment.value } as never });
          reload();
        } catch (err) {
          msg.textContent = errorText(err);
        }
      },
    },
    h(
      "dl",
      null,
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

// -- watchlist managers -------------------------------------------------------------------

function watchlistScreen(el: HTMLElement): void {
  const session = current();
  const list = h("div", { id: "entries" });
  const load = async () => {
    try {
      const { entries } = (await call("get", "/watchlist", { query: { limit: 200 } })) as { entries: WatchlistEntry[] };
      replace(
        list,
        h(
          "table",
          null,
          h("thead", null, h("tr", null, (["col.plate", "col.category", "col.priority", "col.zones", "col.expires", "col.reason"] as MessageKey[]).map((c) => h("th", null, t(c))), h("th", null, ""))),
          h(
            "tbody",
            null,
            entries.map((e) =>
              h(
                "tr",
                null,
                [e.plate, tDynamic(`category.${e.category}`, e.category), e.priority, e.zones.join(", "), formatTime(Date.parse(e.expires), lang()), e.reason].map((v) => h("td", null, v)),
                h(
                  "td",
                  null,
                  may(session, "DELETE /watchlist/{entry_id}")
                    ? h("button", { type: "button", onclick: async () => (await call("delete", "/watchlist/{entry_id}", { path: { entry_id: e.entry_id } }), load()) }, t("watchlist.expire"))
                    : null,
                ),
              ),
            ),
          ),
        ),
      );
    } catch (err) {
      replace(list, h("p", { class: "error" }, errorText(err)));
    }
  };
  replace(el, h("h2", null, t("watchlist.title")), may(session, "POST /watchlist") ? addEntryForm(load) : null, list);
  load();
}

const CATEGORIES = ["stolen_vehicle", "wanted_person", "missing_person", "terrorism", "organised_crime", "other"] as const;

function addEntryForm(reload: () => void): HTMLElement {
  const plate = h("input", { id: "wl-plate", required: true, maxlength: 16 });
  const category = h("select", { id: "wl-category" }, CATEGORIES.map((c) => h("option", { value: c }, t(`category.${c}` as MessageKey))));
  const reason = h("input", { id: "wl-reason", required: true, minlength: 3 });
  const unit = h("input", { id: "wl-unit", required: true });
  const zones = h("input", { id: "wl-zones", value: "national", required: true });
  const expires = h("input", { id: "wl-expires", type: "datetime-local", required: true, value: toLocalInput(Date.now() + 30 * DAY_MS) });
  const handling = h("input", { id: "wl-handling" });
  const priority = h("select", { id: "wl-priority" }, (["high", "medium", "low"] as const).map((p) => h("option", { value: p }, p)));
  const msg = h("p", { role: "status" });
  return h(
    "form",
    {
      class: "card",
      id: "watchlist-form",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        try {
          await call("post", "/watchlist", {
            body: {
              plate: plate.value.trim(),
              category: category.value as (typeof CATEGORIES)[number],
              priority: priority.value as "high" | "medium" | "low",
              reason: reason.value.trim(),
              owning_unit: unit.value.trim(),
              zones: zones.value.split(",").map((z) => z.trim()).filter(Boolean),
              expires: new Date(fromLocalInput(expires.value)).toISOString(),
              handling_instructions: handling.value.trim(),
            },
          });
          msg.textContent = t("watchlist.added");
          reload();
        } catch (err) {
          msg.textContent = err instanceof ApiError ? errorText(err) : errorText(err);
        }
      },
    },
    h("h3", null, t("watchlist.add")),
    h("div", { class: "row" }, field("search.plate", plate), field("col.category", category), field("col.priority", priority), field("col.zones", zones), field("col.expires", expires)),
    h("div", { class: "row" }, field("col.reason", reason), field("watchlist.owningUnit", unit), field("watchlist.handling", handling)),
    h("button", { type: "submit" }, t("watchlist.add")),
    msg,
  );
}

boot({ title: "app.console", render });
