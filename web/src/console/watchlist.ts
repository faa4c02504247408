// Watchlist managers: list and filter entries (with their hit and misread counts), add, edit and expire
// them (expiry and reason are mandatory fields), import a CSV file with its per-line report.
// Supervisors see the list only (the same roles as the API's routes).
import { call } from "../api/client";
import type { WatchlistEntry } from "../api/types";
import { current, may } from "../auth";
import { lang, t, tDynamic, type MessageKey } from "../i18n";
import { errorText } from "../shell";
import { formatTime, fromLocalInput, h, replace, submitForm, toLocalInput } from "../ui";
import { tc } from "./messages";

const DAY_MS = 86_400_000;
const CATEGORIES = ["stolen_vehicle", "wanted_person", "missing_person", "terrorism", "organised_crime", "other"] as const;
const PRIORITIES = ["high", "medium", "low"] as const;

type Entry = WatchlistEntry & { misread_count?: number; hit_count?: number };

interface ImportReport {
  created: number;
  errors: number;
  lines: { line: number; status: string; plate?: string; errors?: string[] }[];
}

export function watchlistScreen(el: HTMLElement): void {
  const session = current();
  const canWrite = may(session, "POST /watchlist");
  const list = h("div", { id: "entries" });
  const filter = h("input", { id: "wl-filter", autocomplete: "off", maxlength: 20 });
  let editor: EntryForm | null = null;
  const load = async () => {
    try {
      const { entries } = (await call("get", "/watchlist", { query: { limit: 200, plate: filter.value.trim() || undefined } })) as { entries: Entry[] };
      replace(list, entryTable(entries, canWrite, (e) => editor?.edit(e), load));
    } catch (err) {
      replace(list, h("p", { class: "error" }, errorText(err)));
    }
  };
  editor = canWrite ? entryForm(load) : null;
  const filterForm = submitForm(
    { class: "row", id: "wl-filter-form" },
    load,
    h("label", null, tc("wl.filter"), filter),
    h("button", { type: "submit" }, tc("wl.apply")),
  );
  replace(
    el,
    h("h2", null, t("watchlist.title")),
    editor?.form,
    may(session, "POST /watchlist/import") ? importForm(load) : null,
    filterForm,
    list,
  );
  load();
}

function entryTable(entries: Entry[], canWrite: boolean, edit: (e: Entry) => void, reload: () => void): HTMLElement {
  const cols: string[] = [...(["col.plate", "col.category", "col.priority", "col.zones", "col.expires", "col.reason"] as MessageKey[]).map((c) => t(c)), tc("wl.hits"), tc("wl.misreads"), ""];
  return h(
    "table",
    null,
    h("thead", null, h("tr", null, cols.map((c) => h("th", { scope: "col" }, c)))),
    h(
      "tbody",
      null,
      entries.map((e) =>
        h(
          "tr",
          { "data-entry": e.entry_id },
          [e.plate, tDynamic(`category.${e.category}`, e.category), e.priority, e.zones.join(", "), formatTime(Date.parse(e.expires), lang()), e.reason, String(e.hit_count ?? 0), String(e.misread_count ?? 0)].map((v, i) => h("td", i === 6 ? { class: "hits" } : i === 7 ? { class: "misreads" } : null, v)),
          h(
            "td",
            null,
            canWrite ? h("button", { type: "button", class: "link wl-edit", onclick: () => edit(e) }, tc("wl.edit")) : null,
            may(current(), "DELETE /watchlist/{entry_id}")
              ? h("button", { type: "button", class: "link wl-expire", onclick: async () => (await call("delete", "/watchlist/{entry_id}", { path: { entry_id: e.entry_id } }), reload()) }, t("watchlist.expire"))
              : null,
          ),
        ),
      ),
    ),
  );
}

interface EntryForm {
  form: HTMLElement;
  edit(e: Entry): void;
}

/** One form for adding (POST) and editing (PUT) an entry: expiry and reason are required. */
function entryForm(reload: () => void): EntryForm {
  const plate = h("input", { id: "wl-plate", required: true, maxlength: 16 });
  const category = h("select", { id: "wl-category" }, CATEGORIES.map((c) => h("option", { value: c }, t(`category.${c}` as MessageKey))));
  const reason = h("input", { id: "wl-reason", required: true, minlength: 3, maxlength: 500 });
  const unit = h("input", { id: "wl-unit", required: true });
  const zones = h("input", { id: "wl-zones", value: "national", required: true });
  const expires = h("input", { id: "wl-expires", type: "datetime-local", required: true, value: toLocalInput(Date.now() + 30 * DAY_MS) });
  const handling = h("input", { id: "wl-handling" });
  const priority = h("select", { id: "wl-priority" }, PRIORITIES.map((p) => h("option", { value: p }, p)));
  const title = h("h3", null, t("watchlist.add"));
  const submit = h("button", { type: "submit", id: "wl-submit" }, t("watchlist.add"));
  const cancel = h("button", { type: "button", class: "link", id: "wl-cancel", hidden: true }, tc("wl.cancel"));
  const msg = h("p", { role: "status", id: "wl-msg" });
  let editing: string | null = null;
  const reset = () => {
    editing = null;
    title.textContent = submit.textContent = t("watchlist.add");
    cancel.hidden = true;
    plate.disabled = false;
  };
  cancel.addEventListener("click", reset);
  const form = submitForm(
    { class: "card", id: "watchlist-form" },
    async () => {
      const body = {
        plate: plate.value.trim(),
        category: category.value as (typeof CATEGORIES)[number],
        priority: priority.value as (typeof PRIORITIES)[number],
        reason: reason.value.trim(),
        owning_unit: unit.value.trim(),
        zones: zones.value.split(",").map((z) => z.trim()).filter(Boolean),
        expires: new Date(fromLocalInput(expires.value)).toISOString(),
        handling_instructions: handling.value.trim(),
      };
      try {
        if (editing) await call("put", "/watchlist/{entry_id}", { path: { entry_id: editing }, body });
        else await call("post", "/watchlist", { body });
        msg.textContent = editing ? tc("wl.saved") : t("watchlist.added");
        reset();
        reload();
      } catch (err) {
        msg.textContent = errorText(err);
      }
    },
    title,
    h("div", { class: "row" }, field("search.plate", plate), field("col.category", category), field("col.priority", priority), field("col.zones", zones), field("col.expires", expires)),
    h("div", { class: "row" }, field("col.reason", reason), field("watchlist.owningUnit", unit), field("watchlist.handling", handling)),
    submit,
    cancel,
    msg,
  );
  const edit = (e: Entry) => {
    editing = e.entry_id;
    plate.value = e.plate;
    plate.disabled = true; // the plate is what the entry is; another plate is another entry
    category.value = e.category;
    priority.value = e.priority;
    reason.value = e.reason;
    unit.value = e.owning_unit;
    zones.value = e.zones.join(", ");
    expires.value = toLocalInput(Date.parse(e.expires));
    handling.value = e.handling_instructions;
    title.textContent = `${tc("wl.edit")}: ${e.plate}`;
    submit.textContent = tc("wl.save");
    cancel.hidden = false;
    msg.textContent = "";
    reason.focus();
  };
  return { form, edit };
}

function importForm(reload: () => void): HTMLElement {
  const file = h("input", { id: "wl-import-file", type: "file", accept: ".csv,text/csv" });
  const text = h("textarea", { id: "wl-import-text", rows: 4, spellcheck: false });
  const report = h("div", { id: "wl-import-report", role: "status" });
  file.addEventListener("change", async () => {
    const f = file.files?.[0];
    if (f) text.value = await f.text();
  });
  return submitForm(
    { class: "card", id: "wl-import-form" },
    async () => {
      try {
        const r: ImportReport = await call("post", "/watchlist/import", { body: { csv: text.value } as never });
        replace(
          report,
          h("p", { class: r.errors ? "error" : "ok" }, tc("wl.importReport", { created: r.created, errors: r.errors })),
          h(
            "table",
            null,
            h("thead", null, h("tr", null, h("th", { scope: "col" }, tc("wl.line")), h("th", { scope: "col" }, t("col.plate")), h("th", { scope: "col" }, tc("wl.result")))),
            h("tbody", null, r.lines.map((l) => h("tr", { class: `import-${l.status}` }, h("td", null, String(l.line)), h("td", null, l.plate ?? ""), h("td", null, l.status === "created" ? "✓" : (l.errors ?? []).join("; "))))),
          ),
        );
        reload();
      } catch (err) {
        replace(report, h("p", { class: "error" }, errorText(err)));
      }
    },
    h("h3", null, tc("wl.import")),
    h("p", { class: "muted" }, tc("wl.importHelp")),
    h("div", { class: "row" }, h("label", null, tc("wl.importFile"), file), h("label", { class: "grow" }, tc("wl.importText"), text)),
    h("button", { type: "submit", id: "wl-import-run" }, tc("wl.importRun")),
    report,
  );
}

function field(label: MessageKey, input: HTMLElement): HTMLElement {
  return h("label", null, t(label), input);
}
