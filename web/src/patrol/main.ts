// The patrol app (PWA): my zone's open alerts, the alert card with the plate crop big, and
// acknowledgement with an outcome, queued while offline and retried.
import "../style.css";
import { call } from "../api/client";
import type { AlertSummary, AlertView, Camera } from "../api/types";
import { current, type Session } from "../auth";
import { lang, t, tDynamic, type MessageKey } from "../i18n";
import { boot, errorText } from "../shell";
import { formatTime, h, replace } from "../ui";
import { Outbox, type PendingAck } from "./outbox";

const OUTCOMES: PendingAck["outcome"][] = ["stopped", "not_found", "misread", "other"];
const outbox = new Outbox(localStorage, async (a) => {
  await call("post", "/alerts/{alert_id}/acknowledge", {
    path: { alert_id: a.alert_id },
    body: { outcome: a.outcome, comment: a.comment },
  });
});

let main: HTMLElement;
let zones: string[] = [];

function zone(): string {
  const saved = localStorage.getItem("anpr.patrol.zone");
  return saved && zones.includes(saved) ? saved : zones[0];
}

async function render(el: HTMLElement, _session: Session | null): Promise<void> {
  main = el;
  const session = current();
  if (!zones.length && session) {
    // my zones are in my identity; national scope may follow any zone the cameras cover
    zones = session.zones.filter((z) => z !== "national");
    if (session.zones.includes("national")) {
      try {
        const { cameras } = (await call("get", "/cameras")) as { cameras: Camera[] };
        zones = ["national", ...new Set(cameras.map((c) => c.zone))].sort();
      } catch (err) {
        replace(main, h("p", { class: "error" }, errorText(err)));
        return;
      }
    }
  }
  if (!zones.length) {
    replace(main, h("p", { class: "error", id: "no-zone" }, t("patrol.noZone")));
    return;
  }
  const route = location.hash.match(/^#alert\/(.+)$/);
  if (route) await alertCard(decodeURIComponent(route[1]));
  else await feed();
}

function offlineBanner(): HTMLElement {
  const n = outbox.pending().length;
  return h(
    "p",
    { class: "banner", id: "offline", role: "status", hidden: navigator.onLine && !n },
    [!navigator.onLine ? t("patrol.offline") : "", n ? `${t("patrol.pending")} (${n})` : ""].filter(Boolean).join(" · "),
  );
}

function showBanner(): void {
  document.getElementById("offline")?.replaceWith(offlineBanner());
}

async function feed(): Promise<void> {
  const picker = h(
    "select",
    {
      id: "zone",
      onchange: (e: Event) => {
        localStorage.setItem("anpr.patrol.zone", (e.target as HTMLSelectElement).value);
        feed();
      },
    },
    zones.map((z) => h("option", { value: z, selected: z === zone() }, z)),
  );
  const list = h("ul", { id: "feed", class: "feed" });
  replace(
    main,
    offlineBanner(),
    h("div", { class: "row" }, h("label", null, t("patrol.zone"), picker), h("button", { type: "button", id: "refresh", onclick: () => feed() }, t("patrol.refresh"))),
    h("h2", null, t("patrol.feed")),
    list,
  );
  try {
    const { alerts } = (await call("get", "/alerts", { query: { zone: zone() } })) as { alerts: AlertSummary[] };
    if (!alerts.length) replace(list, h("li", { class: "empty" }, t("patrol.empty")));
    else
      replace(
        list,
        alerts.map((a) =>
          h(
            "li",
            { class: `alert priority-${a.priority}` },
            h(
              "a",
              { href: `#alert/${encodeURIComponent(a.alert_id)}`, class: "alert-link" },
              h("strong", { class: "plate" }, a.plate),
              h("span", null, tDynamic(`category.${a.category}`, a.category)),
              h("span", null, t("patrol.seen", { time: formatTime(a.capture_ms, lang()), camera: a.camera_name })),
              outbox.isPending(a.alert_id) ? h("span", { class: "pending" }, t("patrol.pending")) : null,
            ),
          ),
        ),
      );
  } catch (err) {
    replace(list, h("li", { class: "error" }, errorText(err)));
  }
}

async function alertCard(alertId: string): Promise<void> {
  replace(main, h("p", null, "…"));
  let a: AlertView & { camera?: { name: string; direction: string | null; camera_id: string } };
  try {
    a = await call("get", "/alerts/{alert_id}", { path: { alert_id: alertId } });
  } catch (err) {
    replace(main, h("a", { href: "#" }, t("patrol.back")), h("p", { class: "error" }, errorText(err)));
    return;
  }
  const outcome = h("select", { id: "outcome" }, OUTCOMES.map((o) => h("option", { value: o }, t(`patrol.outcome.${o}` as MessageKey))));
  const comment = h("textarea", { id: "comment", rows: 2, maxlength: 2000 });
  const msg = h("p", { id: "ack-status", role: "status" });
  const pending = outbox.isPending(a.alert_id);
  const done = a.status !== "open";
  if (pending) msg.textContent = t("patrol.pending");
  if (done) msg.textContent = `${t("patrol.sent")}: ${a.acknowledgement?.outcome ? t(`patrol.outcome.${a.acknowledgement.outcome}` as MessageKey) : ""}`;
  const form = h(
    "form",
    {
      class: "card",
      id: "ack-form",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        if (outcome.value === "other" && comment.value.trim().length === 0) {
          msg.textContent = t("patrol.commentNeeded");
          return;
        }
        outbox.add({ alert_id: a.alert_id, outcome: outcome.value as PendingAck["outcome"], comment: comment.value.trim(), queued_ms: Date.now() });
        const { sent, refused } = await outbox.flush();
        if (sent.includes(a.alert_id)) {
          msg.textContent = t("patrol.sent");
          form.querySelector("button")!.disabled = true;
        } else if (refused.length) msg.textContent = errorText(new Error(refused[0].error));
        else msg.textContent = t("patrol.pending");
        showBanner();
      },
    },
    h("label", null, t("patrol.outcome"), outcome),
    h("label", null, t("patrol.comment"), comment),
    h("button", { type: "submit", id: "acknowledge", disabled: done || pending }, t("patrol.acknowledge")),
    msg,
  );
  replace(
    main,
    offlineBanner(),
    h("a", { href: "#", id: "back" }, `← ${t("patrol.back")}`),
    h(
      "article",
      { class: `card alert-card priority-${a.priority}`, id: "alert-card" },
      h("h2", { class: "plate big" }, a.plate),
      a.match_kind === "possible_misread" ? h("p", { class: "warn" }, t("patrol.possibleMisread"), a.entry_plate ? ` (${a.entry_plate})` : "") : null,
      a.crop_url ? h("img", { src: a.crop_url, alt: t("patrol.crop"), class: "crop", id: "crop" }) : null,
      h("p", { class: "category" }, tDynamic(`category.${a.category}`, a.category), " · ", a.priority.toUpperCase()),
      h("p", null, t("patrol.seen", { time: formatTime(a.capture_ms, lang()), camera: a.camera?.name ?? a.camera_name ?? "" }), a.camera?.direction ? ` (${a.camera.direction})` : ""),
      h("h3", null, t("patrol.handling")),
      h("p", { class: "handling" }, a.handling_instructions || "—"),
    ),
    form,
  );
}

window.addEventListener("hashchange", () => main && render(main, null));
// Going offline only changes the banner (the screen stays usable); coming back sends the queue.
window.addEventListener("offline", showBanner);
window.addEventListener("online", async () => {
  const { sent } = await outbox.flush();
  if (main && sent.length) render(main, null);
  else showBanner();
});
setInterval(() => navigator.onLine && outbox.pending().length && outbox.flush(), 10_000);

if ("serviceWorker" in navigator) navigator.serviceWorker.register("/patrol/sw.js", { scope: "/patrol/" });
boot({ title: "app.patrol", render });
