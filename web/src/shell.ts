// What both apps share: config, the header with the language switcher, the login screen.
import { configureApi } from "./api/client";
import { current, login, logout, type Session } from "./auth";
import { lang, LANGS, onLangChange, setLang, t, type Lang, type MessageKey } from "./i18n";
import { h, replace, submitForm } from "./ui";

export interface AppConfig {
  apiUrl: string;
}

export async function loadConfig(): Promise<AppConfig> {
  const res = await fetch("/config.json");
  return res.ok ? res.json() : { apiUrl: "/api" };
}

export function langSwitcher(): HTMLElement {
  const sel = h(
    "select",
    { id: "lang", "aria-label": t("lang.label"), onchange: (e: Event) => setLang((e.target as HTMLSelectElement).value as Lang) },
    LANGS.map((l) => h("option", { value: l, selected: l === lang() }, l.toUpperCase())),
  );
  return h("label", { class: "lang" }, sel);
}

export interface App {
  title: MessageKey;
  render(root: HTMLElement, session: Session): void;
}

/** Boot an app: config, then the login screen or the app; re-renders on language change. */
export async function boot(app: App): Promise<void> {
  const root = document.getElementById("app")!;
  const cfg = await loadConfig();
  configureApi({
    apiUrl: cfg.apiUrl,
    token: () => current()?.token ?? null,
    onUnauthorized: () => {
      logout();
      draw();
    },
  });
  document.documentElement.lang = lang();
  const draw = () => {
    document.title = t(app.title);
    const session = current();
    const main = h("main", { id: "main" });
    const header = h(
      "header",
      null,
      h("h1", null, t(app.title)),
      langSwitcher(),
      session
        ? h(
            "span",
            { class: "who" },
            h("span", { id: "whoami" }, t("login.signedInAs", { user: session.username, roles: session.groups.join(", ") })),
            h("button", { id: "logout", onclick: () => (logout(), draw()) }, t("logout")),
          )
        : null,
    );
    replace(root, header, main);
    if (session) app.render(main, session);
    else loginScreen(main, draw);
  };
  onLangChange(draw);
  draw();
}

function loginScreen(main: HTMLElement, done: () => void): void {
  const user = h("input", { id: "username", name: "username", autocomplete: "username", required: true });
  const pass = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const msg = h("p", { class: "error", role: "alert" });
  const form = submitForm(
    { class: "card login" },
    async () => {
      try {
        await login(user.value.trim(), pass.value);
        done();
      } catch {
        msg.textContent = t("login.failed");
      }
    },
    h("h2", null, t("login.title")),
    h("label", null, t("login.username"), user),
    h("label", null, t("login.password"), pass),
    h("button", { type: "submit", id: "login" }, t("login.submit")),
    msg,
  );
  replace(main, form);
  user.focus();
}

export function errorText(e: unknown): string {
  if (e instanceof TypeError) return t("error.network");
  return `${t("error.prefix")}: ${e instanceof Error ? e.message : String(e)}`;
}
