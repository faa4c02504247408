// Ops: the camera networks and every registered camera on the offline map, coloured by status,
// with counts per status and zone, and the audit chain's verification. (Health figures, i.e.
// silent, quarantining, latency, are not exposed by the API yet: docs/web.md "Not done yet".)
import { call } from "../api/client";
import type { Camera } from "../api/types";
import { current, may } from "../auth";
import { t } from "../i18n";
import { renderMap, type Marker } from "../map";
import { errorText } from "../shell";
import { h, replace } from "../ui";
import { cameraIndex } from "./cameras";
import { tc } from "./messages";

interface Network {
  network_id: string;
  name?: string;
  zones?: string[];
  status?: string;
  has_credential?: boolean;
}

export function opsScreen(el: HTMLElement): void {
  const map = h("figure", { id: "ops-map" });
  const counts = h("div", { id: "ops-counts" });
  const networks = h("div", { id: "ops-networks" });
  const verify = h("p", { id: "verify", role: "status" });
  replace(
    el,
    h("h2", null, tc("ops.title")),
    h("div", { class: "split" }, h("div", null, counts, h("h3", null, tc("ops.networks")), networks, h("h3", null, t("audit.verify")), verify), map),
  );
  cameraIndex()
    .then((cams) => {
      const all = [...cams.values()];
      const markers: Marker[] = all.map((c) => ({ lat: c.lat, lon: c.lon, label: `${c.camera_id} ${c.name} (${c.status})`, kind: c.status === "active" ? "camera" : "camera-off" }));
      replace(map, renderMap(markers, [], tc("ops.title")), h("figcaption", null, tc("ops.legend")));
      replace(counts, statusTable(all));
    })
    .catch((err) => replace(counts, h("p", { class: "error" }, errorText(err))));
  if (may(current(), "GET /networks"))
    call("get", "/networks")
      .then(({ networks: list }: { networks: Network[] }) =>
        replace(
          networks,
          list.length
            ? h(
                "table",
                null,
                h("thead", null, h("tr", null, ["ID", tc("ops.name"), t("col.zones"), t("col.status"), tc("ops.key")].map((c) => h("th", { scope: "col" }, c)))),
                h("tbody", null, list.map((n) => h("tr", null, [n.network_id, n.name ?? "", (n.zones ?? []).join(", "), n.status ?? "", n.has_credential ? "✓" : "✗"].map((v) => h("td", null, v))))),
              )
            : h("p", { id: "ops-no-networks" }, tc("ops.noNetworks")),
        ),
      )
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
