import type * as z from "zod";
import type { DashboardConfig } from "./config";

/** The API refused the token (expired or revoked): the user must sign in again. */
export class SessionExpiredError extends Error {
  constructor() {
    super("Your session has expired; sign in again.");
    this.name = "SessionExpiredError";
  }
}

export class ApiError extends Error {
  constructor(
    readonly path: string,
    readonly status: number,
    detail: string,
    method: "GET" | "POST" = "GET",
  ) {
    super(`${method} ${path} failed (${status}): ${detail}`);
    this.name = "ApiError";
  }
}

/** A read refused for the caller's request budget (429) is sent again this many times, after its `Retry-After`. */
const READ_RETRIES_ON_429 = 3;
/** The longest `Retry-After` a read waits out; a longer one is answered as the error it is. */
const MAX_RETRY_AFTER_MS = 10_000;

const retryAfterMs = (response: Response): number => {
  const seconds = Number(response.headers.get("retry-after") ?? "1");
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1_000 : 1_000;
};

/**
 * GETs one of the HTTP API's read routes with the access token and checks the answer's shape.
 * A 429 (the user's request budget, shared by every tab they have open) is waited out and
 * sent again, a few times, as the API's `Retry-After` asks.
 *
 * @example
 * const fleet = await getJson(config, token, "/api/agents/status", FleetSnapshot);
 */
export async function getJson<S extends z.ZodType>(
  config: DashboardConfig,
  token: string,
  path: string,
  schema: S,
  options: { fetch?: typeof fetch; timeoutMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<z.infer<S>> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let response: Response;
  for (let attempt = 0; ; attempt++) {
    response = await (options.fetch ?? fetch)(`${config.httpApiUrl.replace(/\/$/, "")}${path}`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    const wait = retryAfterMs(response);
    if (response.status !== 429 || attempt >= READ_RETRIES_ON_429 || wait > MAX_RETRY_AFTER_MS) break;
    await response.body?.cancel();
    await sleep(wait);
  }
  if (response.status === 401) throw new SessionExpiredError();
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw new ApiError(path, response.status, JSON.stringify(body ?? null).slice(0, 200));
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ApiError(path, response.status, `unexpected shape: ${parsed.error.issues[0]?.message ?? "?"}`);
  return parsed.data;
}

/**
 * POSTs a JSON body to one of the HTTP API's action routes and checks the answer's shape; a
 * refusal (4xx) is an `ApiError` carrying the problem's detail.
 *
 * @example
 * const decided = await postJson(config, token, "/api/optimizations/opt-1/approve", {}, Decided);
 */
export async function postJson<S extends z.ZodType>(
  config: DashboardConfig,
  token: string,
  path: string,
  body: unknown,
  schema: S,
  options: { fetch?: typeof fetch; timeoutMs?: number } = {},
): Promise<z.infer<S>> {
  const response = await (options.fetch ?? fetch)(`${config.httpApiUrl.replace(/\/$/, "")}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
  });
  if (response.status === 401) throw new SessionExpiredError();
  const answer: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw new ApiError(path, response.status, JSON.stringify(answer ?? null).slice(0, 200), "POST");
  const parsed = schema.safeParse(answer);
  if (!parsed.success)
    throw new ApiError(path, response.status, `unexpected shape: ${parsed.error.issues[0]?.message ?? "?"}`, "POST");
  return parsed.data;
}
