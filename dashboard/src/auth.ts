import * as z from "zod";
import type { DashboardConfig } from "./config";

/** A signed-in user: the access token the HTTP API's authorizer and the WebSocket's `$connect` accept. */
export const Session = z.object({
  username: z.string().min(1),
  accessToken: z.string().min(1),
  /** Epoch milliseconds after which the token is refused. */
  expiresAt: z.number(),
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

const InitiateAuthResponse = z.object({
  AuthenticationResult: z
    .object({ AccessToken: z.string().min(1), ExpiresIn: z.number().int().positive(), TokenType: z.string().optional() })
    .optional(),
  ChallengeName: z.string().optional(),
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
};

export interface SignInOptions {
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  readonly timeoutMs?: number;
}

/**
 * Signs in with Cognito's USER_PASSWORD_AUTH flow, straight against the Cognito endpoint (the
 * same call the SDK makes), so the page needs no SDK. Refuses, with a `SignInError`, a wrong
 * password, a user Cognito challenges (MFA, a new password), and an unreachable endpoint.
 *
 * @example
 * const session = await signIn(config, "viewer", "…"); // → { username: "viewer", accessToken: "eyJ…", expiresAt: … }
 */
export async function signIn(
  config: DashboardConfig,
  username: string,
  password: string,
  options: SignInOptions = {},
): Promise<Session> {
  const fetchImpl = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const startedAt = now();
  let response: Response;
  try {
    response = await fetchImpl(config.cognitoEndpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
      },
      body: JSON.stringify({
        AuthFlow: "USER_PASSWORD_AUTH",
        ClientId: config.userPoolClientId,
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    const reason =
      error instanceof Error && error.name === "TimeoutError" ? "it did not answer in time" : "it could not be reached";
    throw new SignInError(`Sign-in failed: ${reason}. Check your connection and try again.`, "network");
  }
  const body = await response.json().catch(() => undefined);
  if (!response.ok) {
    const parsed = CognitoError.safeParse(body);
    // The type arrives as "NotAuthorizedException" or "com.amazonaws…#NotAuthorizedException".
    const type = (parsed.success ? parsed.data.__type : undefined)?.split("#").pop() ?? response.headers.get("x-amzn-errortype");
    const code = type?.split(":")[0] ?? `http_${response.status}`;
    throw new SignInError(MESSAGES[code] ?? `Sign-in failed (${code}). Try again, or ask an administrator.`, code);
  }
  const parsed = InitiateAuthResponse.safeParse(body);
  if (!parsed.success)
    throw new SignInError("Sign-in failed: Cognito answered in a way this page does not understand.", "invalid_response");
  const { AuthenticationResult: result, ChallengeName: challenge } = parsed.data;
  if (!result) {
    throw new SignInError(
      `This account must complete a sign-in challenge (${challenge ?? "unknown"}) that this page does not offer yet; use the CLI or ask an administrator.`,
      "challenge",
    );
  }
  return { username, accessToken: result.AccessToken, expiresAt: startedAt + result.ExpiresIn * 1_000 };
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
