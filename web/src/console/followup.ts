// Supervisors: the alert follow-up of one police zone over one shift (GET /alerts/follow-up,
// audited by the API): raised, unclaimed, claimed, closed, escalated, the follow-up rate and the
// alerts nobody answered.
import { call } from "../api/client";
import { current } from "../auth";
import { lang, t } from "../i18n";
import { errorText } from "../shell";
import { formatTime, fromLocalInput, h, replace, submitForm, toLocalInput } from "../ui";
import { cameraIndex } from "./cameras";
import { tc, type ConsoleKey } from "./messages";

const SHIFT_MS = 8 * 3_600_000;

interface FollowUp {
  zone: string;
  raised: number;
  open_unclaimed: number;
  claimed: number;
  closed: number;
  escalated: number;
  follow_up_rate: number | null;
  unanswered: { alert_id: string; priority: string; first_seen_ms: number }[];
}

export function followUpScreen(el: HTMLElement): void {
  const zone = h("select", { id: "fu-zone" });
  const now = Date.now();
  const start = h("input", { id: "fu-start", type: "datetime-local", value: toLocalInput(now - SHIFT_MS) });
  const end = h("input", { id: "fu-end", type: "datetime-local", value: toLocalInput(now + 60_000) });
  const out = h("div", { id: "followup", role: "status" });
  const show = async () => {
    try {
      const f: FollowUp = await call("get", "/alerts/follow-up", {
        query: { zone: zone.value, start_ms: fromLocalInput(start.value), end_ms: fromLocalInput(end.value) },
      });
      const figures: [ConsoleKey, string | number][] = [
        ["fu.raised", f.raised],
        ["fu.open", f.open_unclaimed],
        ["fu.claimed", f.claimed],
        ["fu.closed", f.closed],
        ["fu.escalated", f.escalated],
        ["fu.rate", f.follow_up_rate === null ? "—" : `${Math.round(f.follow_up_rate * 100)} %`],
      ];
      replace(
        out,
        h("dl", { class: "figures", id: "fu-figures" }, figures.map(([k, v]) => [h("dt", null, tc(k)), h("dd", { "data-key": k }, String(v))])),
        h("h3", null, tc("fu.unanswered")),
        h(
          "table",
          null,
          h("thead", null, h("tr", null, h("th", { scope: "col" }, "ID"), h("th", { scope: "col" }, t("col.priority")), h("th", { scope: "col" }, tc("fu.firstSeen")))),
          h("tbody", null, f.unanswered.map((a) => h("tr", null, h("td", null, a.alert_id), h("td", null, a.priority), h("td", null, formatTime(a.first_seen_ms, lang()))))),
        ),
      );
    } catch (err) {
      replace(out, h("p", { class: "error" }, errorText(err)));
    }
  };
  const form = submitForm(
    { class: "card", id: "followup-form" },
    show,
    h("h2", null, tc("fu.title")),
    h(
      "div",
      { class: "row" },
      h("label", null, tc("fu.zone"), zone),
      h("label", null, tc("fu.start"), start),
      h("label", null, tc("fu.end"), end),
      h("button", { type: "submit", id: "fu-show" }, tc("fu.show")),
    ),
  );
  replace(el, form, out);
  // the supervisor's own zones first; national scope: every zone with cameras
  const mine = (current()?.zones ?? []).filter((z) => z !== "national");
  cameraIndex()
    .then((cams) => {
      const zones = mine.length ? mine : [...new Set([...cams.values()].map((c) => c.zone))].sort();
      replace(zone, zones.map((z) => h("option", { value: z }, z)));
    })
    .catch((err) => replace(out, h("p", { class: "error" }, errorText(err))));
}
