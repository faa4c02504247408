// Horizontal bar charts in SVG for the transparency report: no chart library (the bundle stays
// small), a title and a text value on each bar so the figures read without colour.
import { h } from "../ui";
import { tc, num } from "./messages";

const NS = "http://www.w3.org/2000/svg";
const ROW = 22;
const LABEL_W = 110;
const BAR_W = 180;

function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A bar per (label, value); ``max`` fixes the scale (100 for percentages), else the largest. */
export function barChart(title: string, data: [string, number][], max?: number): HTMLElement {
  const fig = h("figure", { class: "chart" }, h("figcaption", null, title));
  if (!data.length) {
    fig.append(h("p", { class: "muted" }, tc("chart.empty")));
    return fig;
  }
  const top = max ?? Math.max(1, ...data.map(([, v]) => v));
  const height = data.length * ROW + 4;
  const chart = svg("svg", { viewBox: `0 0 ${LABEL_W + BAR_W + 50} ${height}`, role: "img", "aria-label": title });
  data.forEach(([label, value], i) => {
    const y = i * ROW + 2;
    const w = Math.max(1, (value / top) * BAR_W);
    chart.append(
      svg("text", { x: LABEL_W - 6, y: y + 14, "text-anchor": "end", class: "chart-label" }, label),
      svg("rect", { x: LABEL_W, y, width: w.toFixed(1), height: ROW - 6, class: "chart-bar", "data-value": value }),
      svg("text", { x: LABEL_W + w + 6, y: y + 14, class: "chart-value" }, num(value)),
    );
  });
  fig.append(chart);
  return fig;
}
