import { createSrpSession, signSrpSession, wrapAuthChallenge, wrapInitiateAuth } from "cognito-srp-helper";
import * as z from "zod";
import type { DashboardConfig } from "./config";

/** A signed-in user: the access token the HTTP API's authorizer and the WebSocket's `$connect` accept. */
export const Session = z.object({
  username: z.string().min(1),
  accessToken: z.string().min(1),
  /** Epoch milliseconds after which the token is refused. */
  expiresAt: z.number(),
  /** Cognito's refresh token: the page gets a new access token with it before this one expires. */
  refreshToken: z.string().min(1).optional(),
});
export type Session = z.infer<typeof Session>;

/** Why a sign-in failed, in words fit to show the user. */
export class SignInError extends Error {
  constructor(
    message: string,
    /** Cognito's error type, e.g. `NotAuthorizedException`, or `network`, `challenge`. */
    readonly code: string,
  ) {
    super(message);
    this.name = "SignInError";
  }
}

const AuthResponse = z.object({
  AuthenticationResult: z
    .object({
      AccessToken: z.string().min(1),
      ExpiresIn: z.number().int().positive(),
      TokenType: z.string().optional(),
      RefreshToken: z.string().min(1).optional(),
    })
    .optional(),
  ChallengeName: z.string().optional(),
  ChallengeParameters: z.record(z.string(), z.string()).optional(),
  Session: z.string().optional(),
});
const CognitoError = z.object({ __type: z.string().optional(), message: z.string().optional() });

/** Cognito's error types, and what to tell someone at a sign-in form. */
const MESSAGES: Readonly<Record<string, string>> = {
  NotAuthorizedException: "Incorrect username or password.",
  UserNotFoundException: "Incorrect username or password.",
  UserNotConfirmedException: "This account is not confirmed yet; ask an administrator.",
  PasswordResetRequiredException: "This account needs a password reset; ask an administrator.",
  TooManyRequestsException: "Too many sign-in attempts; wait a minute and try again.",
  LimitExceededException: "Too many sign-in attempts; wait a minute and try again.",
  CodeMismatchException: "That code is not right; enter the one your authenticator app shows now.",
  ExpiredCodeException: "That code has expired; enter the one your authenticator app shows now.",
};
/** Answering a challenge, NotAuthorized means Cognito's sign-in session ran out (it lasts 3 minutes). */
const CHALLENGE_MESSAGES: Readonly<Record<string, string>> = {
  ...MESSAGES,
  NotAuthorizedException: "The sign-in took too long; start again with your password.",
};

export interface SignInOptions {
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  readonly timeoutMs?: number;
}

/** A password accepted, with an authenticator code still to give (the `SOFTWARE_TOKEN_MFA` challenge). */
export interface MfaChallenge {
  readonly username: string;
  /** Cognito's handle on this sign-in attempt, sent back with the code. */
  readonly cognitoSession: string;
}

export type SignInResult = { readonly kind: "signed_in"; readonly session: Session } | ({ readonly kind: "mfa" } & MfaChallenge);

/**
 * Signs in with Cognito's USER_SRP_AUTH flow (Secure Remote Password), straight against the
 * Cognito endpoint (the calls the SDK makes), so the password never leaves the page: the page
 * sends SRP's public value A, Cognito answers the PASSWORD_VERIFIER challenge, and the page
 * answers with a proof derived from the password (`cognito-srp-helper` does the arithmetic). A
 * user with an authenticator app gets an `mfa` result to answer with `answerMfa`; a wrong
 * password, any other challenge (a new password, MFA setup, SMS) and an unreachable endpoint are
 * refused with a `SignInError`.
 *
 * @example
 * const result = await signIn(config, "viewer", "…"); // → { kind: "signed_in", session: { username: "viewer", accessToken: "eyJ…", … } }
 */
export async function signIn(
  config: DashboardConfig,
  username: string,
  password: string,
  options: SignInOptions = {},
): Promise<SignInResult> {
  const startedAt = (options.now ?? Date.now)();
  const srp = createSrpSession(username, password, config.userPoolId, false);
  const challenge = await cognito(
    config,
    "InitiateAuth",
    wrapInitiateAuth(srp, {
      AuthFlow: "USER_SRP_AUTH",
      ClientId: config.userPoolClientId,
      AuthParameters: { USERNAME: username },
    }),
    MESSAGES,
    options,
  );
  const userId = challenge.ChallengeParameters?.USER_ID_FOR_SRP;
  if (challenge.ChallengeName !== "PASSWORD_VERIFIER" || !challenge.ChallengeParameters || !userId) {
    throw new SignInError(
      `Cognito did not offer the password check this page signs in with (${challenge.ChallengeName ?? "no challenge"}).`,
      "invalid_response",
    );
  }
  const response = await cognito(
    config,
    "RespondToAuthChallenge",
    wrapAuthChallenge(signSrpSession(srp, { ChallengeParameters: challenge.ChallengeParameters }), {
      ChallengeName: "PASSWORD_VERIFIER",
      ClientId: config.userPoolClientId,
      ...(challenge.Session ? { Session: challenge.Session } : {}),
      ChallengeResponses: { USERNAME: userId },
    }),
    MESSAGES,
    options,
  );
  if (response.AuthenticationResult)
    return { kind: "signed_in", session: toSession(username, response.AuthenticationResult, startedAt) };
  if (response.ChallengeName === "SOFTWARE_TOKEN_MFA" && response.Session) {
    return { kind: "mfa", username: userId, cognitoSession: response.Session };
  }
  throw new SignInError(
    `This account must complete a sign-in challenge (${response.ChallengeName ?? "unknown"}) that this page does not offer; finish it with the AWS CLI or ask an administrator.`,
    "challenge",
  );
}

/**
 * Completes a sign-in with the code of the user's authenticator app.
 *
 * @example
 * const session = await answerMfa(config, challenge, "123456");
 */
export async function answerMfa(
  config: DashboardConfig,
  challenge: MfaChallenge,
  code: string,
  options: SignInOptions = {},
): Promise<Session> {
  const startedAt = (options.now ?? Date.now)();
  const response = await cognito(
    config,
    "RespondToAuthChallenge",
    {
      ChallengeName: "SOFTWARE_TOKEN_MFA",
      ClientId: config.userPoolClientId,
      Session: challenge.cognitoSession,
      ChallengeResponses: { USERNAME: challenge.username, SOFTWARE_TOKEN_MFA_CODE: code },
    },
    CHALLENGE_MESSAGES,
    options,
  );
  if (!response.AuthenticationResult) {
    throw new SignInError(
      `Cognito asked for another step (${response.ChallengeName ?? "unknown"}) this page does not offer.`,
      "challenge",
    );
  }
  return toSession(challenge.username, response.AuthenticationResult, startedAt);
}

const toSession = (
  username: string,
  result: { AccessToken: string; ExpiresIn: number; RefreshToken?: string | undefined },
  startedAt: number,
): Session => ({
  username,
  accessToken: result.AccessToken,
  expiresAt: startedAt + result.ExpiresIn * 1_000,
  ...(result.RefreshToken ? { refreshToken: result.RefreshToken } : {}),
});

/** How long before its expiry a token is renewed: early enough to retry a failed renewal a few times. */
const RENEW_LEAD_MS = 5 * 60_000;

/** When to renew a session's token: five minutes before it expires, or halfway through a shorter life. */
export function renewAt(session: Session, now: number = Date.now()): number {
  const left = session.expiresAt - now;
  return now + Math.max(0, left > 2 * RENEW_LEAD_MS ? left - RENEW_LEAD_MS : left / 2);
}

/**
 * A new access token for the session, from its refresh token (Cognito's REFRESH_TOKEN_AUTH),
 * so a signed-in page is not sent back to the sign-in form every hour. Cognito answers no new
 * refresh token, so the session keeps its own (valid for the app client's refresh validity).
 *
 * @example
 * const renewed = await refreshSession(config, session);
 */
export async function refreshSession(config: DashboardConfig, session: Session, options: SignInOptions = {}): Promise<Session> {
  if (!session.refreshToken) throw new SignInError("This session has no refresh token; sign in again.", "no_refresh_token");
  const startedAt = (options.now ?? Date.now)();
  const response = await cognito(
    config,
    "InitiateAuth",
    {
      AuthFlow: "REFRESH_TOKEN_AUTH",
      ClientId: config.userPoolClientId,
      AuthParameters: { REFRESH_TOKEN: session.refreshToken },
    },
    MESSAGES,
    options,
  );
  if (!response.AuthenticationResult) throw new SignInError("Cognito renewed nothing; sign in again.", "invalid_response");
  return toSession(
    session.username,
    { ...response.AuthenticationResult, RefreshToken: response.AuthenticationResult.RefreshToken ?? session.refreshToken },
    startedAt,
  );
}

/** One call to Cognito's JSON API; any refusal becomes a `SignInError` worded from `messages`. */
async function cognito(
  config: DashboardConfig,
  operation: "InitiateAuth" | "RespondToAuthChallenge",
  body: object,
  messages: Readonly<Record<string, string>>,
  options: SignInOptions,
): Promise<z.infer<typeof AuthResponse>> {
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(config.cognitoEndpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": `AWSCognitoIdentityProviderService.${operation}`,
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    const reason =
      error instanceof Error && error.name === "TimeoutError" ? "it did not answer in time" : "it could not be reached";
    throw new SignInError(`Sign-in failed: ${reason}. Check your connection and try again.`, "network");
  }
  const json: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const parsed = CognitoError.safeParse(json);
    // The type arrives as "NotAuthorizedException" or "com.amazonaws…#NotAuthorizedException".
    const type = (parsed.success ? parsed.data.__type : undefined)?.split("#").pop() ?? response.headers.get("x-amzn-errortype");
    const code = type?.split(":")[0] ?? `http_${response.status}`;
    throw new SignInError(messages[code] ?? `Sign-in failed (${code}). Try again, or ask an administrator.`, code);
  }
  const parsed = AuthResponse.safeParse(json);
  if (!parsed.success) {
    throw new SignInError("Sign-in failed: Cognito answered in a way this page does not understand.", "invalid_response");
  }
  return parsed.data;
}

/** Tokens are kept for the tab only: a closed tab signs the user out, and no token touches localStorage or a cookie. */
export interface SessionStore {
  load(): Session | undefined;
  save(session: Session): void;
  clear(): void;
}

const STORAGE_KEY = "tge-swarm.session";
/** A token this close to expiry is treated as expired, so a request does not start with one that lapses on the way. */
const EXPIRY_MARGIN_MS = 30_000;

export function isExpired(session: Session, now: number = Date.now()): boolean {
  return now >= session.expiresAt - EXPIRY_MARGIN_MS;
}

/** A `SessionStore` over `sessionStorage` (or any Storage), dropping what is malformed or expired. */
export function sessionStore(storage: Storage, now: () => number = Date.now): SessionStore {
  return {
    load() {
      let raw: unknown;
      try {
        raw = JSON.parse(storage.getItem(STORAGE_KEY) ?? "null");
      } catch {
        raw = null;
      }
      const parsed = Session.safeParse(raw);
      if (!parsed.success || isExpired(parsed.data, now())) {
        storage.removeItem(STORAGE_KEY);
        return undefined;
      }
      return parsed.data;
    },
    save: (session) => storage.setItem(STORAGE_KEY, JSON.stringify(session)),
    clear: () => storage.removeItem(STORAGE_KEY),
  };
}
