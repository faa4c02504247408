// Ops: the quarantine browser. Reason documents a page at a time, filtered by reason (GET
// /quarantine: no image, no plate), and one snapshot's kept copy on demand through a short
// presigned link (GET /quarantine/image): a snapshot shows a vehicle, so the case or ticket
// reference and the reason are required and every view is audited.
import { call } from "../api/client";
import type { paths } from "../api/schema";
import { lang, t } from "../i18n";
import { errorText } from "../shell";
import { formatTime, h, replace } from "../ui";
import { num, tc } from "./messages";

type Reason = NonNullable<NonNullable<paths["/quarantine"]["get"]["parameters"]["query"]>["reason"]>;
/** Every reason ingest records (tsc checks this against the API's enum, both ways). */
const REASONS: Record<Reason, true> = {
  too_large: true,
  missing_metadata: true,
  invalid_metadata: true,
  unknown_camera: true,
  retired_camera: true,
  future_capture: true,
  expired_capture: true,
  not_an_image: true,
  corrupt_image: true,
  duplicate_event: true,
  object_missing: true,
  malformed_event: true,
  unsupported_format: true,
  foreign_object: true,
  camera_mismatch: true,
  wrong_network: true,
  invalid_camera_read: true,
};

interface Item {
  id: string;
  reason: string;
  detail: string;
  key: string;
  camera_id: string;
  network: string;
  size: number | null;
  quarantined_ms: number;
  image: boolean;
}

const PAGE = 25;

export function quarantineScreen(el: HTMLElement): void {
  const reason = h(
    "select",
    { id: "q-reason" },
    h("option", { value: "" }, tc("q.all")),
    Object.keys(REASONS)
      .sort()
      .map((r) => h("option", { value: r }, r)),
  );
  const show = h("button", { id: "q-show", type: "submit" }, tc("q.show"));
  const caseRef = h("input", { id: "q-case-ref", maxlength: 64, autocomplete: "off" });
  const why = h("input", { id: "q-why", maxlength: 500, autocomplete: "off" });
  const list = h("div", { id: "q-list", "aria-live": "polite" });
  const more = h("button", { id: "q-more", type: "button", hidden: true }, tc("q.more"));
  const image = h("figure", { id: "quarantine-image", "aria-live": "polite" });
  let after: string | null = null;

  const load = (append: boolean) => {
    more.hidden = true;
    call("get", "/quarantine", { query: { reason: (reason.value || undefined) as Reason | undefined, limit: PAGE, ...(append && after ? { after } : {}) } })
      .then((page: { items: Item[]; next: string | null }) => {
        after = page.next;
        more.hidden = !page.next;
        const body = list.querySelector("tbody");
        if (append && body) body.append(...page.items.map(row));
        else replace(list, page.items.length ? table(page.items) : h("p", { id: "q-none" }, tc("q.none")));
      })
      .catch((err) => replace(list, h("p", { class: "error" }, errorText(err))));
  };

  const open = (item: Item) => {
    call("get", "/quarantine/image", { query: { id: item.id, case_ref: caseRef.value.trim(), reason: why.value.trim() } })
      .then((out: { url: string; expires_s: number }) =>
        replace(image, h("img", { src: out.url, alt: `${item.reason} ${item.camera_id}` }), h("figcaption", null, tc("q.imageOf", { id: item.key || item.id, s: out.expires_s }))),
      )
      .catch((err) => replace(image, h("p", { class: "error", role: "alert" }, errorText(err))));
  };

  const row = (item: Item) =>
    h(
      "tr",
      { "data-id": item.id },
      h("td", null, formatTime(item.quarantined_ms, lang())),
      h("td", { "data-reason": item.reason }, item.reason),
      h("td", null, item.camera_id || "–"),
      h("td", null, item.network || "–"),
      h("td", null, item.detail),
      h("td", null, item.size != null ? `${num(item.size)} B` : "–"),
      h("td", null, item.image ? h("button", { type: "button", class: "q-open", onclick: () => open(item) }, tc("q.open")) : h("span", { class: "muted" }, tc("q.noImage"))),
    );

  const table = (items: Item[]) =>
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { id: "q-table" },
        h("thead", null, h("tr", null, [t("col.time"), tc("q.filter"), t("col.camera"), tc("health.network"), tc("q.detail"), tc("q.size"), tc("q.preview")].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", null, items.map(row)),
      ),
    );

  const form = h(
    "form",
    { id: "q-form", class: "row" },
    h("label", null, tc("q.filter"), reason),
    show,
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    after = null;
    load(false);
  });
  more.addEventListener("click", () => load(true));
  replace(
    el,
    h("h2", null, tc("q.title")),
    form,
    h(
      "fieldset",
      { class: "filters" },
      h("legend", null, tc("q.justify")),
      h("div", { class: "row" }, h("label", null, t("search.caseRef"), caseRef), h("label", { class: "grow" }, t("search.reason"), why)),
    ),
    list,
    more,
    image,
  );
  load(false);
}
