import { describe, expect, it, vi } from "vitest";
import {
  answerMfa,
  isExpired,
  refreshSession,
  renewAt,
  type Session,
  sessionStore,
  SignInError,
  signIn,
} from "../../../web/src/auth";
import { ConfigUnavailableError, type DashboardConfig, loadConfig } from "../../../web/src/config";

const config: DashboardConfig = {
  httpApiUrl: "https://api.example",
  webSocketUrl: "wss://ws.example/prod",
  userPoolId: "eu-west-1_Pool1",
  userPoolClientId: "client-1",
  cognitoEndpoint: "https://cognito-idp.eu-west-1.amazonaws.com/",
  region: "eu-west-1",
};

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/x-amz-json-1.1", ...headers } });

/** Cognito's answer to USER_SRP_AUTH: its public value B, the user's salt and a secret block to sign. */
const passwordVerifier = (userId: string) =>
  json(200, {
    ChallengeName: "PASSWORD_VERIFIER",
    ChallengeParameters: {
      USER_ID_FOR_SRP: userId,
      SALT: "a1b2c3d4e5f60718293a4b5c6d7e8f90",
      SRP_B: "5".repeat(64),
      SECRET_BLOCK: "c2VjcmV0LWJsb2Nr",
    },
  });

const bodyOf = (fetch: { mock: { calls: unknown[][] } }, call: number) =>
  JSON.parse(String((fetch.mock.calls[call] as [string, RequestInit])[1].body)) as Record<string, unknown>;

describe("signIn", () => {
  it("signs in with USER_SRP_AUTH: sends SRP's A, answers PASSWORD_VERIFIER with a proof, never the password", async () => {
    // GIVEN Cognito challenges for the password proof, then accepts it
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(passwordVerifier("viewer"))
      .mockResolvedValueOnce(json(200, { AuthenticationResult: { AccessToken: "access", IdToken: "id", ExpiresIn: 3600 } }));
    // WHEN the user signs in
    const result = await signIn(config, "viewer", "pw-never-sent", { fetch, now: () => 1_000 });
    // THEN the requests are the ones the SDK would make…
    expect(fetch).toHaveBeenCalledWith(
      "https://cognito-idp.eu-west-1.amazonaws.com/",
      expect.objectContaining({
        method: "POST",
        headers: {
          "Content-Type": "application/x-amz-json-1.1",
          "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
        },
      }),
    );
    expect(bodyOf(fetch, 0)).toEqual({
      AuthFlow: "USER_SRP_AUTH",
      ClientId: "client-1",
      AuthParameters: { USERNAME: "viewer", SRP_A: expect.stringMatching(/^[0-9a-f]{256,}$/) },
    });
    const [, answer] = fetch.mock.calls[1] as [string, RequestInit];
    expect((answer.headers as Record<string, string>)["X-Amz-Target"]).toBe(
      "AWSCognitoIdentityProviderService.RespondToAuthChallenge",
    );
    expect(bodyOf(fetch, 1)).toEqual({
      ChallengeName: "PASSWORD_VERIFIER",
      ClientId: "client-1",
      ChallengeResponses: {
        USERNAME: "viewer",
        PASSWORD_CLAIM_SECRET_BLOCK: "c2VjcmV0LWJsb2Nr",
        PASSWORD_CLAIM_SIGNATURE: expect.stringMatching(/^[A-Za-z0-9+/]+=*$/),
        TIMESTAMP: expect.stringMatching(/^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{1,2} \d{2}:\d{2}:\d{2} UTC \d{4}$/),
        SRP_A: expect.any(String),
      },
    });
    // The password itself is in no request.
    for (const call of fetch.mock.calls) expect(String((call as [string, RequestInit])[1].body)).not.toContain("pw-never-sent");
    // …and the session holds the access token (what the API and $connect accept) and its expiry
    expect(result).toEqual({
      kind: "signed_in",
      session: { username: "viewer", accessToken: "access", expiresAt: 1_000 + 3_600_000 },
    });
  });

  it("says the username or password is wrong, without saying which", async () => {
    for (const type of ["NotAuthorizedException", "com.amazonaws.cognito#UserNotFoundException"]) {
      const fetch = vi.fn(async () => json(400, { __type: type, message: "Incorrect username or password." }));
      await expect(signIn(config, "viewer", "bad", { fetch })).rejects.toThrow(
        new SignInError("Incorrect username or password.", type.split("#").pop() ?? type),
      );
    }
  });

  it("reads the error type from the header when the body has none", async () => {
    const fetch = vi.fn(
      async () => new Response("", { status: 400, headers: { "x-amzn-errortype": "TooManyRequestsException:http://x" } }),
    );
    await expect(signIn(config, "viewer", "pw", { fetch })).rejects.toMatchObject({ code: "TooManyRequestsException" });
  });

  it("asks for the authenticator code when Cognito wants one, then completes the sign-in with it", async () => {
    // GIVEN a user with an authenticator app (prod requires MFA)
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(passwordVerifier("admin"))
      .mockResolvedValueOnce(
        json(200, { ChallengeName: "SOFTWARE_TOKEN_MFA", Session: "cognito-session", ChallengeParameters: {} }),
      )
      .mockResolvedValueOnce(json(200, { AuthenticationResult: { AccessToken: "access", ExpiresIn: 3600 } }));
    // WHEN the password is accepted
    const result = await signIn(config, "admin", "pw", { fetch, now: () => 0 });
    // THEN the page is told to ask for the code…
    expect(result).toEqual({ kind: "mfa", username: "admin", cognitoSession: "cognito-session" });
    // …and the code, sent back with Cognito's session, signs the user in
    const session = await answerMfa(config, { username: "admin", cognitoSession: "cognito-session" }, "123456", {
      fetch,
      now: () => 0,
    });
    expect(session).toEqual({ username: "admin", accessToken: "access", expiresAt: 3_600_000 });
    expect(bodyOf(fetch, 2)).toEqual({
      ChallengeName: "SOFTWARE_TOKEN_MFA",
      ClientId: "client-1",
      Session: "cognito-session",
      ChallengeResponses: { USERNAME: "admin", SOFTWARE_TOKEN_MFA_CODE: "123456" },
    });
  });

  it("says a wrong code is wrong, and a lapsed sign-in must start again", async () => {
    const challenge = { username: "admin", cognitoSession: "s" };
    const wrong = vi.fn(async () => json(400, { __type: "CodeMismatchException", message: "Invalid code" }));
    await expect(answerMfa(config, challenge, "000000", { fetch: wrong })).rejects.toThrow(/code is not right/);
    const lapsed = vi.fn(async () => json(400, { __type: "NotAuthorizedException", message: "Invalid session for the user" }));
    await expect(answerMfa(config, challenge, "123456", { fetch: lapsed })).rejects.toMatchObject({
      code: "NotAuthorizedException",
      message: expect.stringContaining("start again"),
    });
  });

  it("says a wrong password is wrong when Cognito refuses the proof", async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(passwordVerifier("viewer"))
      .mockResolvedValueOnce(json(400, { __type: "NotAuthorizedException", message: "Incorrect username or password." }));
    await expect(signIn(config, "viewer", "bad", { fetch })).rejects.toThrow("Incorrect username or password.");
  });

  it("refuses an answer to InitiateAuth that is not the password check", async () => {
    const fetch = vi.fn(async () => json(200, { AuthenticationResult: { AccessToken: "a", ExpiresIn: 3600 } }));
    await expect(signIn(config, "viewer", "pw", { fetch })).rejects.toMatchObject({ code: "invalid_response" });
  });

  it("refuses a challenge it cannot complete (a new password, MFA setup), naming it", async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(passwordVerifier("admin"))
      .mockResolvedValueOnce(json(200, { ChallengeName: "NEW_PASSWORD_REQUIRED", Session: "s" }));
    await expect(signIn(config, "admin", "pw", { fetch })).rejects.toMatchObject({
      code: "challenge",
      message: expect.stringContaining("NEW_PASSWORD_REQUIRED"),
    });
  });

  it("explains an unreachable endpoint", async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError("Failed to fetch");
    });
    await expect(signIn(config, "viewer", "pw", { fetch })).rejects.toMatchObject({ code: "network" });
  });
});

describe("renewing a session", () => {
  const signedIn: Session = { username: "viewer", accessToken: "old", expiresAt: 3_601_000, refreshToken: "refresh-1" };

  it("keeps the refresh token of a sign-in, and renews with REFRESH_TOKEN_AUTH, keeping it when Cognito sends none", async () => {
    const signInFetch = vi
      .fn()
      .mockResolvedValueOnce(passwordVerifier("viewer"))
      .mockResolvedValueOnce(
        json(200, { AuthenticationResult: { AccessToken: "old", ExpiresIn: 3600, RefreshToken: "refresh-1" } }),
      );
    expect(await signIn(config, "viewer", "pw", { fetch: signInFetch, now: () => 1_000 })).toEqual({
      kind: "signed_in",
      session: signedIn,
    });

    const fetch = vi.fn(async () => json(200, { AuthenticationResult: { AccessToken: "new", ExpiresIn: 3600 } }));
    const renewed = await refreshSession(config, signedIn, { fetch, now: () => 3_300_000 });
    const [, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(JSON.parse(String(init.body))).toEqual({
      AuthFlow: "REFRESH_TOKEN_AUTH",
      ClientId: "client-1",
      AuthParameters: { REFRESH_TOKEN: "refresh-1" },
    });
    expect(renewed).toEqual({
      username: "viewer",
      accessToken: "new",
      expiresAt: 3_300_000 + 3_600_000,
      refreshToken: "refresh-1",
    });
  });

  it("refuses a revoked refresh token with Cognito's words, and a session without one before calling anything", async () => {
    const revoked = vi.fn(async () => json(400, { __type: "NotAuthorizedException", message: "Refresh Token has been revoked" }));
    await expect(refreshSession(config, signedIn, { fetch: revoked })).rejects.toMatchObject({ code: "NotAuthorizedException" });
    const never = vi.fn();
    const { refreshToken: _none, ...withoutRefresh } = signedIn;
    await expect(refreshSession(config, withoutRefresh, { fetch: never })).rejects.toBeInstanceOf(SignInError);
    expect(never).not.toHaveBeenCalled();
  });

  it("renews five minutes before expiry, or halfway through a short life", () => {
    expect(renewAt(signedIn, 1_000)).toBe(3_601_000 - 5 * 60_000);
    expect(renewAt({ ...signedIn, expiresAt: 1_000 + 6 * 60_000 }, 1_000)).toBe(1_000 + 3 * 60_000);
    expect(renewAt({ ...signedIn, expiresAt: 500 }, 1_000)).toBe(1_000);
  });
});

describe("sessionStore", () => {
  const memoryStorage = (): Storage => {
    const items = new Map<string, string>();
    return {
      get length() {
        return items.size;
      },
      clear: () => items.clear(),
      getItem: (key) => items.get(key) ?? null,
      key: (index) => [...items.keys()][index] ?? null,
      removeItem: (key) => void items.delete(key),
      setItem: (key, value) => void items.set(key, value),
    };
  };
  const session: Session = { username: "viewer", accessToken: "a", expiresAt: 100_000 };

  it("keeps a session for the tab until it nears expiry", () => {
    const storage = memoryStorage();
    let now = 0;
    const store = sessionStore(storage, () => now);
    store.save(session);
    expect(store.load()).toEqual(session);
    now = 100_000 - 30_000;
    expect(store.load()).toBeUndefined();
    expect(storage.length).toBe(0);
  });

  it("drops what it cannot read", () => {
    const storage = memoryStorage();
    storage.setItem("tge-swarm.session", "{not json");
    expect(sessionStore(storage, () => 0).load()).toBeUndefined();
    storage.setItem("tge-swarm.session", JSON.stringify({ username: "x" }));
    expect(sessionStore(storage, () => 0).load()).toBeUndefined();
  });

  it("treats a token within 30 s of expiry as expired", () => {
    expect(isExpired(session, 69_999)).toBe(false);
    expect(isExpired(session, 70_000)).toBe(true);
  });
});

describe("loadConfig", () => {
  it("reads /config.json", async () => {
    const fetch = vi.fn(async () => Response.json(config));
    await expect(loadConfig(fetch)).resolves.toEqual(config);
    expect(fetch).toHaveBeenCalledWith("/config.json", expect.objectContaining({ cache: "no-store" }));
  });

  it("names the field that is wrong", async () => {
    const fetch = vi.fn(async () => Response.json({ ...config, webSocketUrl: "https://not-a-socket" }));
    await expect(loadConfig(fetch)).rejects.toThrow(ConfigUnavailableError);
    await expect(loadConfig(fetch)).rejects.toThrow(/webSocketUrl/);
  });

  it("says so when the file is missing", async () => {
    const fetch = vi.fn(async () => new Response("not found", { status: 404 }));
    await expect(loadConfig(fetch)).rejects.toThrow(/HTTP 404/);
  });
});
