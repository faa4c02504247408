// What both apps share: config, the header with the language switcher, the login screen.
import { configureApi } from "./api/client";
import {
  answerCode,
  AuthError,
  confirmAuthenticator,
  current,
  logout,
  setNewPassword,
  signIn,
  type AuthConfig,
  type Session,
  type SignInStep,
} from "./auth";
import { lang, LANGS, onLangChange, setLang, t, type Lang, type MessageKey } from "./i18n";
import { h, replace, submitForm } from "./ui";

export interface AppConfig {
  apiUrl: string;
  /** Cognito's sign-in API: locally /cognito/ (local/web.py), deployed cognito-idp.<region>.amazonaws.com */
  auth?: AuthConfig;
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
    else loginScreen(main, cfg.auth, draw);
  };
  onLangChange(draw);
  draw();
}

/** Where a sign-in stands (kept across re-renders, e.g. a language change mid-way). */
let pending: Exclude<SignInStep, { kind: "done" }> | null = null;
let notice = "";

function loginScreen(main: HTMLElement, auth: AuthConfig | undefined, done: () => void): void {
  const msg = h("p", { class: "error", role: "alert" }, notice);
  notice = "";
  const redraw = () => loginScreen(main, auth, done);
  /** Run one step: the next challenge, the app, or a message (back to the start when the session is over). */
  const step = async (run: (cfg: AuthConfig) => Promise<SignInStep>, refused: (e: AuthError) => string) => {
    if (!auth) {
      msg.textContent = t("login.unavailable", { reason: "config.json: auth" });
      return;
    }
    try {
      const next = await run(auth);
      pending = next.kind === "done" ? null : next;
      if (next.kind === "done") done();
      else redraw();
    } catch (e) {
      const text = e instanceof AuthError ? refusal(e, refused) : e instanceof TypeError ? t("error.network") : String(e);
      if (e instanceof AuthError && e.type === "NotAuthorizedException" && pending) {
        // the sign-in session is over (expired, used, too many wrong codes): from the start
        pending = null;
        notice = t("login.expired");
        redraw();
      } else msg.textContent = text;
    }
  };
  const back = h("button", { type: "button", id: "restart", class: "link", onclick: () => ((pending = null), redraw()) }, t("login.back"));
  const codeInput = () =>
    h("input", {
      id: "code",
      name: "code",
      inputmode: "numeric",
      autocomplete: "one-time-code",
      pattern: "[0-9]{6}",
      maxlength: 6,
      required: true,
    });
  let form: HTMLFormElement;
  let focus: HTMLInputElement;
  const wrongCode = (e: AuthError) => (["CodeMismatchException", "EnableSoftwareTokenMFAException", "ExpiredCodeException"].includes(e.type) ? t("login.wrongCode") : "");
  if (pending?.kind === "code" || pending?.kind === "enrol") {
    // the authenticator's code: of the sign-in, or (enrol) of the secret just added, shown first
    const at = pending;
    const code = (focus = codeInput());
    form = submitForm(
      at.kind === "enrol" ? { class: "card login enrol", id: "enrol-form" } : { class: "card login", id: "mfa-form" },
      () => step((cfg) => (at.kind === "enrol" ? confirmAuthenticator : answerCode)(cfg, at, code.value.trim()), wrongCode),
      h("h2", null, t(at.kind === "enrol" ? "login.enrolTitle" : "login.codeTitle")),
      h("p", null, t(at.kind === "enrol" ? "login.enrolHelp" : "login.codeHelp")),
      at.kind === "enrol" &&
        h(
          "dl",
          { class: "secret" },
          h("dt", null, t("login.secret")),
          // in groups of four, as authenticator apps accept it typed
          h("dd", null, h("code", { id: "totp-secret" }, at.secret.match(/.{1,4}/g)!.join(" "))),
          h("dt", null, t("login.uri")),
          h("dd", null, h("code", { id: "totp-uri" }, at.uri)),
        ),
      h("label", null, t("login.code"), code),
      h("div", { class: "row" }, h("button", { type: "submit", id: "verify" }, t("login.verify")), back),
      msg,
    );
  } else if (pending?.kind === "newPassword") {
    const at = pending;
    const attrs = { type: "password", autocomplete: "new-password", required: true, minlength: 14 };
    const first = (focus = h("input", { ...attrs, id: "new-password", name: "new-password" }));
    const again = h("input", { ...attrs, id: "repeat-password", name: "repeat-password" });
    form = submitForm(
      { class: "card login", id: "new-password-form" },
      () =>
        first.value !== again.value
          ? (msg.textContent = t("login.passwordsDiffer"))
          : step(
              (cfg) => setNewPassword(cfg, at, first.value),
              (e) => (e.type === "InvalidPasswordException" ? t("login.weakPassword") : ""),
            ),
      h("h2", null, t("login.newPasswordTitle")),
      h("p", null, t("login.newPasswordHelp")),
      h("label", null, t("login.newPassword"), first),
      h("label", null, t("login.repeatPassword"), again),
      h("div", { class: "row" }, h("button", { type: "submit", id: "set-password" }, t("login.setPassword")), back),
      msg,
    );
  } else {
    const user = (focus = h("input", { id: "username", name: "username", autocomplete: "username", required: true }));
    const pass = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
    form = submitForm(
      { class: "card login" },
      () =>
        step(
          (cfg) => signIn(cfg, user.value.trim(), pass.value),
          (e) => (e.type === "NotAuthorizedException" ? (/attempts exceeded/i.test(e.message) ? t("login.locked") : t("login.failed")) : ""),
        ),
      h("h2", null, t("login.title")),
      h("label", null, t("login.username"), user),
      h("label", null, t("login.password"), pass),
      h("button", { type: "submit", id: "login" }, t("login.submit")),
      msg,
    );
  }
  replace(main, form);
  focus.focus();
}

/** A refusal in the person's language: the step's own reading of it, else the common ones. */
function refusal(e: AuthError, own: (e: AuthError) => string): string {
  const text = own(e);
  if (text) return text;
  if (["TooManyRequestsException", "LimitExceededException", "TooManyFailedAttemptsException"].includes(e.type)) return t("login.tooMany");
  if (["NotAuthorizedException", "UserNotFoundException", "PasswordResetRequiredException", "UserNotConfirmedException"].includes(e.type)) return t("login.failed");
  return t("login.unavailable", { reason: e.type });
}

export function errorText(e: unknown): string {
  if (e instanceof TypeError) return t("error.network");
  return `${t("error.prefix")}: ${e instanceof Error ? e.message : String(e)}`;
}
