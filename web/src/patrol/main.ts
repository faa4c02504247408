// The patrol app (PWA): my zone's open alerts, live (new alerts, claims and closes appear
// without reload, sound and vibration for high priority), the alert card with the plate crop
// big, "I'm on it" and acknowledgement with an outcome, queued while offline and retried.
import "../style.css";
import "./patrol.css";
import { call } from "../api/client";
import type { AlertSummary, AlertView, Camera, LiveMessage } from "../api/types";
import { current, type Session } from "../auth";
import { lang, t, tDynamic, type MessageKey } from "../i18n";
import { boot, errorText, loadConfig } from "../shell";
import { formatTime, h, replace, submitForm } from "../ui";
import { Live, type LiveState } from "./live";
import { Outbox, type PendingAck } from "./outbox";

const OUTCOMES: PendingAck["outcome"][] = ["stopped", "not_found", "misread", "other"];
const outbox = new Outbox(localStorage, async (a) => {
  if (a.kind === "claim") {
    await call("post", "/alerts/{alert_id}/claim", { path: { alert_id: a.alert_id } });
    return;
  }
  await call("post", "/alerts/{alert_id}/acknowledge", {
    path: { alert_id: a.alert_id },
    body: { outcome: a.outcome, comment: a.comment },
  });
});

let main: HTMLElement;
let zones: string[] = [];
/** the feed's open alerts (REST on load, then kept current by the live channel) */
const items = new Map<string, AlertSummary>();
const fresh = new Set<string>();
let live: Live | null = null;
let liveState: LiveState | "off" = "off";

let liveToken: string | null = null;

function startLive(): void {
  const token = current()?.token ?? null;
  if (liveToken === token) return;
  live?.stop(); // another person signed in on this device
  live = null;
  liveToken = token;
  loadConfig().then((cfg) => {
    const url = (cfg as { liveUrl?: string }).liveUrl;
    if (!url || !token || liveToken !== token) return;
    live = new Live(url, () => current()?.token ?? null, onLive, (state, reconnected) => {
      liveState = state;
      showLiveState();
      if (reconnected && document.getElementById("feed")) feed(); // what was missed meanwhile
    });
    live.start();
  });
}

function showLiveState(): void {
  const el = document.getElementById("live-status");
  if (!el) return;
  el.className = `live-status ${liveState}`;
  el.textContent = liveState === "live" ? t("patrol.live") : liveState === "reconnecting" ? t("patrol.reconnecting") : "";
}

function inFeed(a: AlertSummary): boolean {
  const z = zone();
  return z === "national" || a.national || a.zone === z;
}

function onLive(m: LiveMessage): void {
  const a = m.alert;
  const cardOf = document.getElementById("alert-card")?.dataset.alertId;
  if (cardOf === a.alert_id) showClaim(a);
  if (m.type === "alert.closed" || a.status !== "open") {
    items.delete(a.alert_id);
  } else if (inFeed(a)) {
    const isNew = m.type === "alert" && !items.has(a.alert_id);
    items.set(a.alert_id, a);
    if (isNew) {
      fresh.add(a.alert_id);
      if (a.priority === "high") signal();
    }
  }
  renderList();
}

/** Sound and vibration for a new high-priority alert (where the device allows them). */
function signal(): void {
  navigator.vibrate?.([300, 120, 300]);
  try {
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    osc.frequency.value = 880;
    osc.connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.35);
  } catch {
    /* no audio on this device */
  }
}

async function claim(alertId: string): Promise<string | null> {
  outbox.add({ alert_id: alertId, kind: "claim", queued_ms: Date.now() });
  const { sent, refused } = await outbox.flush();
  showBanner();
  if (sent.includes(alertId)) return null;
  const mine = refused.find((r) => r.alert_id === alertId);
  return mine ? errorText(new Error(mine.error)) : t("patrol.claimPending");
}

function claimLine(a: AlertSummary): HTMLElement {
  if (a.claimed_by) return h("span", { class: "claimed-by" }, t("patrol.claimedBy", { user: a.claimed_by }));
  if (outbox.isPending(a.alert_id, "claim")) return h("span", { class: "pending" }, t("patrol.claimPending"));
  return h(
    "button",
    {
      type: "button",
      class: "claim",
      onclick: async (e: Event) => {
        const btn = e.target as HTMLButtonElement;
        btn.disabled = true;
        const problem = await claim(a.alert_id);
        if (problem) btn.replaceWith(h("span", { class: problem === t("patrol.claimPending") ? "pending" : "error" }, problem));
      },
    },
    t("patrol.claim"),
  );
}

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
  startLive();
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
    h(
      "div",
      { class: "row" },
      h("label", null, t("patrol.zone"), picker),
      h("button", { type: "button", id: "refresh", onclick: () => feed() }, t("patrol.refresh")),
      h("span", { id: "live-status", class: "live-status", role: "status" }),
    ),
    h("h2", null, t("patrol.feed")),
    list,
  );
  showLiveState();
  try {
    const { alerts } = (await call("get", "/alerts", { query: { zone: zone() } })) as { alerts: AlertSummary[] };
    items.clear();
    for (const a of alerts) items.set(a.alert_id, a);
    renderList();
  } catch (err) {
    replace(list, h("li", { class: "error" }, errorText(err)));
  }
}

function renderList(): void {
  const list = document.getElementById("feed");
  if (!list) return;
  const alerts = [...items.values()].sort((a, b) => b.capture_ms - a.capture_ms);
  if (!alerts.length) {
    replace(list, h("li", { class: "empty" }, t("patrol.empty")));
    return;
  }
  replace(
    list,
    alerts.map((a) =>
      h(
        "li",
        { class: `alert priority-${a.priority}${fresh.has(a.alert_id) ? " new" : ""}`, "data-alert-id": a.alert_id },
        h(
          "a",
          { href: `#alert/${encodeURIComponent(a.alert_id)}`, class: "alert-link" },
          fresh.has(a.alert_id) ? h("span", { class: "badge-new" }, t("patrol.new")) : null,
          h("strong", { class: "plate" }, a.plate),
          h("span", null, tDynamic(`category.${a.category}`, a.category)),
          h("span", null, t("patrol.seen", { time: formatTime(a.capture_ms, lang()), camera: a.camera_name })),
          outbox.isPending(a.alert_id) ? h("span", { class: "pending" }, t("patrol.pending")) : null,
        ),
        claimLine(a),
      ),
    ),
  );
}

function showClaim(a: AlertSummary): void {
  const el = document.getElementById("claim-line");
  if (el) el.replaceChildren(a.status !== "open" ? h("span", { class: "claimed-by" }, t("patrol.closedBy", { outcome: a.outcome ? t(`patrol.outcome.${a.outcome}` as MessageKey) : "" })) : claimLine(a));
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
  const form = submitForm(
    { class: "card", id: "ack-form" },
    async () => {
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
      { class: `card alert-card priority-${a.priority}`, id: "alert-card", "data-alert-id": a.alert_id },
      h("h2", { class: "plate big" }, a.plate),
      a.match_kind === "possible_misread" ? h("p", { class: "warn" }, t("patrol.possibleMisread"), a.entry_plate ? ` (${a.entry_plate})` : "") : null,
      a.crop_url ? h("img", { src: a.crop_url, alt: t("patrol.crop"), class: "crop", id: "crop" }) : null,
      h("p", { class: "category" }, tDynamic(`category.${a.category}`, a.category), " · ", a.priority.toUpperCase()),
      h("p", null, t("patrol.seen", { time: formatTime(a.capture_ms, lang()), camera: a.camera?.name ?? a.camera_name ?? "" }), a.camera?.direction ? ` (${a.camera.direction})` : ""),
      h("p", { id: "claim-line" }, a.status === "open" ? claimLine(a) : null),
      h("h3", null, t("patrol.handling")),
      h("p", { class: "handling" }, a.handling_instructions || "—"),
    ),
    form,
  );
}

window.addEventListener("hashchange", () => main && render(main, null));
// Going offline only changes the banner (the screen stays usable); coming back sends the queue.
window.addEventListener("offline", () => {
  live?.drop();
  showBanner();
});
window.addEventListener("online", async () => {
  live?.retry();
  const { sent } = await outbox.flush();
  if (main && sent.length) render(main, null);
  else showBanner();
});
setInterval(() => navigator.onLine && outbox.pending().length && outbox.flush(), 10_000);

if ("serviceWorker" in navigator) navigator.serviceWorker.register("/patrol/sw.js", { scope: "/patrol/" });
boot({ title: "app.patrol", render });
