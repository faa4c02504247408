// Legal holds on chosen reads of a search result: the investigator ticks reads in the table,
// requests the hold with the case's justification (POST /legal-holds, audited by the API) and can
// release it again with a reason (POST /legal-holds/{hold_id}/release).
import { call } from "../api/client";
import type { Sighting } from "../api/types";
import { current, may } from "../auth";
import { t } from "../i18n";
import { errorText } from "../shell";
import { h, replace, submitForm } from "../ui";
import { tc } from "./messages";

export interface Justification {
  case_ref: string;
  reason: string;
  prosecutor_ref: string | null;
}

interface Hold {
  hold_id: string;
  reads: unknown[];
}

/** A tick box per read, and the panel that holds the ticked ones; null when the role may not. */
export function holdPicker(items: Sighting[], justification: Justification): { box: (s: Sighting) => HTMLElement | null; panel: HTMLElement | null } {
  if (!may(current(), "POST /legal-holds")) return { box: () => null, panel: null };
  const chosen = new Map<string, Sighting>();
  const count = h("p", { id: "hold-count", role: "status" }, tc("hold.chosen", { n: 0 }));
  const caseRef = h("input", { id: "hold-case-ref", required: true, maxlength: 64, value: justification.case_ref });
  const reason = h("input", { id: "hold-reason", required: true, maxlength: 2000, value: justification.reason });
  const prosecutor = h("input", { id: "hold-prosecutor-ref", maxlength: 64, value: justification.prosecutor_ref ?? "" });
  const msg = h("div", { id: "hold-result", role: "status" });
  const box = (s: Sighting) =>
    s.read_id
      ? h("input", {
          type: "checkbox",
          class: "hold-pick",
          "aria-label": `${tc("hold.col")} ${s.camera_id}`,
          onchange: (e: Event) => {
            if ((e.target as HTMLInputElement).checked) chosen.set(s.read_id!, s);
            else chosen.delete(s.read_id!);
            count.textContent = tc("hold.chosen", { n: chosen.size });
          },
        })
      : null;
  const panel = submitForm(
    { class: "card", id: "hold-form" },
    async () => {
      if (!chosen.size) return replace(msg, h("p", { class: "error" }, tc("hold.none")));
      try {
        const hold: Hold = await call("post", "/legal-holds", {
          body: {
            case_ref: caseRef.value.trim(),
            reason: reason.value.trim(),
            prosecutor_ref: prosecutor.value.trim() || null,
            reads: [...chosen.values()].map((s) => ({ read_id: s.read_id!, capture_ms: s.capture_ms })),
          },
        });
        replace(msg, h("p", { class: "ok", id: "hold-placed", "data-hold-id": hold.hold_id }, tc("hold.placed", { id: hold.hold_id, n: hold.reads.length })), releaseForm(hold, msg));
      } catch (err) {
        replace(msg, h("p", { class: "error" }, errorText(err)));
      }
    },
    h("h3", null, tc("hold.title")),
    count,
    h("div", { class: "row" }, label(t("search.caseRef"), caseRef), label(t("search.reason"), reason), label(t("search.prosecutorRef"), prosecutor)),
    h("button", { type: "submit", id: "hold-place" }, tc("hold.place")),
    msg,
  );
  return { box, panel };
}

function releaseForm(hold: Hold, msg: HTMLElement): HTMLElement | null {
  if (!may(current(), "POST /legal-holds/{hold_id}/release")) return null;
  const why = h("input", { id: "hold-release-reason", required: true, minlength: 10, maxlength: 2000 });
  const release = async () => {
    try {
      await call("post", "/legal-holds/{hold_id}/release", { path: { hold_id: hold.hold_id }, body: { reason: why.value.trim() } });
      replace(msg, h("p", { class: "ok", id: "hold-released" }, tc("hold.released", { id: hold.hold_id })));
    } catch (err) {
      msg.append(h("p", { class: "error" }, errorText(err)));
    }
  };
  return h(
    "div",
    { class: "row" },
    label(tc("hold.releaseReason"), why),
    h("button", { type: "button", id: "hold-release", onclick: release }, tc("hold.release")),
  );
}

function label(text: string, input: HTMLElement): HTMLElement {
  return h("label", null, text, input);
}
