// Message catalogues: English is the reference; Dutch and French must have every key (checked by tsc).
import { en, type MessageKey } from "./en";
import { fr } from "./fr";
import { nl } from "./nl";

export type Lang = "nl" | "fr" | "en";
export const LANGS: Lang[] = ["nl", "fr", "en"];
const CATALOGS: Record<Lang, Record<MessageKey, string>> = { en, nl, fr };

let current: Lang = pickInitial();
const listeners: (() => void)[] = [];

function pickInitial(): Lang {
  const saved = localStorage.getItem("anpr.lang");
  if (saved && (LANGS as string[]).includes(saved)) return saved as Lang;
  const nav = navigator.language.slice(0, 2);
  return (LANGS as string[]).includes(nav) ? (nav as Lang) : "nl";
}

export function lang(): Lang {
  return current;
}

export function setLang(l: Lang): void {
  current = l;
  localStorage.setItem("anpr.lang", l);
  document.documentElement.lang = l;
  listeners.forEach((f) => f());
}

export function onLangChange(f: () => void): void {
  listeners.push(f);
}

export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  const text = CATALOGS[current][key] ?? en[key];
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
}

/** A key built at run time (e.g. from an API enum); falls back to the raw value. */
export function tDynamic(key: string, fallback: string): string {
  return key in en ? t(key as MessageKey) : fallback;
}

export type { MessageKey };
