// The session: a personal sign-in with MFA through Cognito's own JSON API (the same calls locally,
// where local/web.py serves them at /cognito/, and deployed, at cognito-idp.<region>.amazonaws.com),
// then the ID token kept for this tab only.
import roles from "./generated/roles.json";

export interface Session {
  token: string;
  username: string;
  groups: string[];
  /** police zones (claim custom:zones); "national" means every zone */
  zones: string[];
  exp: number;
}

/** Where to sign in (config.json "auth"): Cognito's endpoint and the web apps' client id. */
export interface AuthConfig {
  endpoint: string;
  clientId: string;
}

/** The step a sign-in is at: a challenge to answer, or done. */
export type SignInStep =
  | { kind: "code"; username: string; session: string }
  | { kind: "enrol"; username: string; session: string; secret: string; uri: string }
  | { kind: "newPassword"; username: string; session: string }
  | { kind: "done"; session: Session };

/** A refusal in Cognito's words (NotAuthorizedException, CodeMismatchException, ...). */
export class AuthError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const KEY = "anpr.session";
const ISSUER = "ANPR";

export function decodeToken(token: string): Session {
  const payload = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
  const groups = payload["cognito:groups"];
  const list = (v: unknown) => (Array.isArray(v) ? v : typeof v === "string" ? v.replace(/[[\]]/g, "").split(/[\s,]+/).filter(Boolean) : []);
  return {
    token,
    username: payload["cognito:username"] ?? payload.email ?? payload.sub,
    groups: list(groups),
    zones: list(payload["custom:zones"]),
    exp: payload.exp ?? 0,
  };
}

export function current(): Session | null {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return null;
  const s = JSON.parse(raw) as Session;
  return s.exp * 1000 > Date.now() ? s : null;
}

type Answer = Record<string, unknown> & {
  ChallengeName?: string;
  Session?: string;
  ChallengeParameters?: Record<string, string>;
  AuthenticationResult?: { IdToken: string };
};

/** One call of Cognito's API (X-Amz-Target); a refusal becomes an AuthError with its type. */
async function call(cfg: AuthConfig, operation: string, body: object): Promise<Answer> {
  const res = await fetch(cfg.endpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: JSON.stringify(body),
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    // "__type" may come namespaced ("com.amazonaws...#NotAuthorizedException")
    const type = String(data.__type ?? res.headers.get("x-amzn-ErrorType") ?? `HTTP${res.status}`);
    throw new AuthError(type.split("#").pop()!.split(":")[0], String(data.message ?? data.Message ?? ""));
  }
  return data as Answer;
}

/** Step one: username and password (USER_PASSWORD_AUTH, over TLS to Cognito). */
export async function signIn(cfg: AuthConfig, username: string, password: string): Promise<SignInStep> {
  const answer = await call(cfg, "InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH",
    ClientId: cfg.clientId,
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
  return next(cfg, username, answer);
}

/** The authenticator's code (SOFTWARE_TOKEN_MFA). */
export async function answerCode(cfg: AuthConfig, step: { username: string; session: string }, code: string): Promise<SignInStep> {
  return respond(cfg, "SOFTWARE_TOKEN_MFA", step.username, step.session, { SOFTWARE_TOKEN_MFA_CODE: code });
}

/** First sign-in without an authenticator: the code of the newly added secret confirms it (MFA_SETUP). */
export async function confirmAuthenticator(cfg: AuthConfig, step: { username: string; session: string }, code: string): Promise<SignInStep> {
  const verified = await call(cfg, "VerifySoftwareToken", { Session: step.session, UserCode: code, FriendlyDeviceName: ISSUER });
  return respond(cfg, "MFA_SETUP", step.username, verified.Session);
}

/** A temporary password replaced by the person's own (NEW_PASSWORD_REQUIRED). */
export async function setNewPassword(cfg: AuthConfig, step: { username: string; session: string }, password: string): Promise<SignInStep> {
  return respond(cfg, "NEW_PASSWORD_REQUIRED", step.username, step.session, { NEW_PASSWORD: password });
}

/** A challenge answered (RespondToAuthChallenge), then the sign-in's next step. */
async function respond(
  cfg: AuthConfig,
  challenge: string,
  username: string,
  session: string | undefined,
  responses: Record<string, string> = {},
): Promise<SignInStep> {
  const answer = await call(cfg, "RespondToAuthChallenge", {
    ChallengeName: challenge,
    ClientId: cfg.clientId,
    Session: session,
    ChallengeResponses: { USERNAME: username, ...responses },
  });
  return next(cfg, username, answer);
}

async function next(cfg: AuthConfig, username: string, answer: Answer): Promise<SignInStep> {
  if (answer.AuthenticationResult) {
    const session = decodeToken(answer.AuthenticationResult.IdToken);
    sessionStorage.setItem(KEY, JSON.stringify(session));
    return { kind: "done", session };
  }
  // with an e-mail alias Cognito answers under the person's user name
  const user = answer.ChallengeParameters?.USER_ID_FOR_SRP ?? username;
  const session = answer.Session ?? "";
  switch (answer.ChallengeName) {
    case "SOFTWARE_TOKEN_MFA":
      return { kind: "code", username: user, session };
    case "NEW_PASSWORD_REQUIRED":
      return { kind: "newPassword", username: user, session };
    case "MFA_SETUP": {
      const assoc = await call(cfg, "AssociateSoftwareToken", { Session: session });
      const secret = String(assoc.SecretCode);
      return { kind: "enrol", username: user, session: String(assoc.Session), secret, uri: otpauthUri(secret, user) };
    }
    default:
      throw new AuthError("UnsupportedChallenge", String(answer.ChallengeName));
  }
}

/** The link authenticator apps import (Key Uri Format). */
export function otpauthUri(secret: string, account: string): string {
  const label = encodeURIComponent(`${ISSUER}:${account}`);
  return `otpauth://totp/${label}?secret=${secret}&issuer=${ISSUER}&algorithm=SHA1&digits=6&period=30`;
}

export function logout(): void {
  sessionStorage.removeItem(KEY);
}

/** May this session call the operation ("GET /alerts")? The same x-roles the API enforces. */
export function may(session: Session | null, operation: keyof typeof roles): boolean {
  return !!session && (roles[operation] as string[]).some((r) => session.groups.includes(r));
}

export type Operation = keyof typeof roles;
