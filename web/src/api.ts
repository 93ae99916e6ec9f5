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

/**
 * GETs one of the HTTP API's read routes with the access token and checks the answer's shape.
 *
 * @example
 * const fleet = await getJson(config, token, "/api/agents/status", FleetSnapshot);
 */
export async function getJson<S extends z.ZodType>(
  config: DashboardConfig,
  token: string,
  path: string,
  schema: S,
  options: { fetch?: typeof fetch; timeoutMs?: number } = {},
): Promise<z.infer<S>> {
  const response = await (options.fetch ?? fetch)(`${config.httpApiUrl.replace(/\/$/, "")}${path}`, {
    headers: { Authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
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
