// A tiny DOM builder: the apps are small enough not to need a framework (bundle stays light).
type Child = Node | string | number | null | undefined | false | Child[];
type Attrs = Record<string, unknown>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v as EventListener);
    else if (k === "class") el.className = String(v);
    else if (k in el && typeof v !== "string") (el as unknown as Record<string, unknown>)[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const c of children.flat(Infinity as 1) as Child[]) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

export function formatTime(ms: number, lang: string): string {
  return new Date(ms).toLocaleString(lang === "en" ? "en-GB" : `${lang}-BE`, {
    dateStyle: "short",
    timeStyle: "medium",
  });
}

/** `datetime-local` input value (local time) for epoch ms, and back. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

export function fromLocalInput(v: string): number {
  return new Date(v).getTime();
}

/** A form that never navigates: ``submit`` runs instead (Enter and the button alike). */
export function submitForm(attrs: Attrs, submit: () => unknown, ...children: Child[]): HTMLFormElement {
  return h("form", { ...attrs, onsubmit: (e: Event) => (e.preventDefault(), void submit()) }, ...children);
}
