import { afterEach, describe, expect, it, vi } from "vitest";
import { answerCode, AuthError, signIn } from "./auth";

const cfg = { endpoint: "https://cognito-idp.eu-west-1.amazonaws.com/", clientId: "client-1" };

/** A fake Cognito: answers each X-Amz-Target in turn, recording what was asked. */
function cognito(answers: Record<string, { status?: number; body: object }>) {
  const asked: { target: string; body: Record<string, unknown> }[] = [];
  const fetchFake = vi.fn(async (_url: string, init: RequestInit) => {
    const target = String((init.headers as Record<string, string>)["X-Amz-Target"]).split(".")[1];
    asked.push({ target, body: JSON.parse(String(init.body)) });
    const a = answers[target];
    return new Response(JSON.stringify(a.body), { status: a.status ?? 200 });
  });
  vi.stubGlobal("fetch", fetchFake);
  const store = new Map<string, string>();
  vi.stubGlobal("sessionStorage", { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) });
  return { asked, store };
}

/** An unsigned JWT with the claims the apps read (the signature is the API's business). */
const idToken = (claims: object) => `h.${btoa(JSON.stringify(claims)).replace(/=+$/, "")}.s`;

afterEach(() => vi.unstubAllGlobals());

describe("sign-in through Cognito's API", () => {
  it("asks for the code after the password, and keeps the token only once the code is accepted", async () => {
    // GIVEN a pool with MFA required, the person signing in by e-mail
    const { asked, store } = cognito({
      InitiateAuth: { body: { ChallengeName: "SOFTWARE_TOKEN_MFA", Session: "s1", ChallengeParameters: { USER_ID_FOR_SRP: "officer.dubois" } } },
      RespondToAuthChallenge: { body: { AuthenticationResult: { IdToken: idToken({ "cognito:username": "officer.dubois", "cognito:groups": ["patrol"], exp: 4e9 }) } } },
    });
    // WHEN the password is given THEN the code step, under the pool's user name, nothing stored
    const step = await signIn(cfg, "dubois@police.local", "pw");
    expect(step).toEqual({ kind: "code", username: "officer.dubois", session: "s1" });
    expect(asked[0].body).toEqual({ AuthFlow: "USER_PASSWORD_AUTH", ClientId: "client-1", AuthParameters: { USERNAME: "dubois@police.local", PASSWORD: "pw" } });
    expect(store.size).toBe(0);
    // WHEN the code is given THEN signed in, the session kept for the tab
    const done = await answerCode(cfg, { username: "officer.dubois", session: "s1" }, "123456");
    expect(done.kind === "done" && done.session.groups).toEqual(["patrol"]);
    expect(asked[1].body.ChallengeResponses).toEqual({ USERNAME: "officer.dubois", SOFTWARE_TOKEN_MFA_CODE: "123456" });
    expect(store.size).toBe(1);
  });

  it("associates a software token when the person has none yet", async () => {
    cognito({
      InitiateAuth: { body: { ChallengeName: "MFA_SETUP", Session: "s1", ChallengeParameters: {} } },
      AssociateSoftwareToken: { body: { SecretCode: "JBSWY3DPEHPK3PXP", Session: "s2" } },
    });
    const step = await signIn(cfg, "ops.new", "pw");
    expect(step).toMatchObject({ kind: "enrol", session: "s2", secret: "JBSWY3DPEHPK3PXP" });
    expect(step.kind === "enrol" && step.uri).toBe(
      "otpauth://totp/ANPR%3Aops.new?secret=JBSWY3DPEHPK3PXP&issuer=ANPR&algorithm=SHA1&digits=6&period=30",
    );
  });

  it("turns a refusal into an AuthError with Cognito's type, namespaced or not", async () => {
    cognito({ InitiateAuth: { status: 400, body: { __type: "com.amazonaws.cognito#NotAuthorizedException", message: "Incorrect username or password." } } });
    const refused = await signIn(cfg, "x", "y").catch((e) => e);
    expect(refused).toBeInstanceOf(AuthError);
    expect([refused.type, refused.message]).toEqual(["NotAuthorizedException", "Incorrect username or password."]);
  });
});
