// The session: the ID token from POST /login (local runtime) kept for this tab only.
import roles from "./generated/roles.json";

export interface Session {
  token: string;
  username: string;
  groups: string[];
  /** police zones (claim custom:zones); "national" means every zone */
  zones: string[];
  exp: number;
}

const KEY = "anpr.session";

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

export async function login(username: string, password: string): Promise<Session> {
  const res = await fetch("/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(String(res.status));
  const { id_token } = await res.json();
  const s = decodeToken(id_token);
  sessionStorage.setItem(KEY, JSON.stringify(s));
  return s;
}

export function logout(): void {
  sessionStorage.removeItem(KEY);
}

/** May this session call the operation ("GET /alerts")? The same x-roles the API enforces. */
export function may(session: Session | null, operation: keyof typeof roles): boolean {
  return !!session && (roles[operation] as string[]).some((r) => session.groups.includes(r));
}

export type Operation = keyof typeof roles;
