import type * as z from "zod";
import type { Role } from "./identity";
import type { BudgetClass } from "./rate-limits";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Error answers a route may give besides 401/403 (added for every route that needs a token). */
export type ErrorStatus = 400 | 404 | 409 | 412 | 413 | 422 | 429 | 503;

/** A success answer of a route. */
export interface RouteResponse {
  readonly description: string;
  /** The body's schema; it must carry an OpenAPI name (`.meta({ id })`). @default no body */
  readonly schema?: z.ZodType;
  /** Response headers, each with an example value. @default none */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Anyone may call it, without a token. */
export const PUBLIC = "public";

/**
 * One HTTP route, declared once: the stack adds it from here, its handler checks the roles and
 * parses the request from here, and the OpenAPI document is built from here.
 */
export interface Route {
  readonly method: HttpMethod;
  /** e.g. `/api/tasks/{taskId}`; every `{name}` has a schema in `params`. */
  readonly path: `/api/${string}`;
  /** The handler's file under `functions/`, without `.ts`, e.g. `tasks/get-task`. */
  readonly entry: string;
  /** Who may call it, checked before anything is read; `PUBLIC` needs no token. */
  readonly roles: readonly Role[] | typeof PUBLIC;
  readonly summary: string;
  readonly description?: string;
  /** The path parameters. @default none */
  readonly params?: z.ZodObject;
  /** The query string. @default none read */
  readonly query?: z.ZodObject;
  /** The JSON body; it must carry an OpenAPI name. @default no body */
  readonly body?: z.ZodType;
  /** The body as the document shows it, when `body` parses more loosely (to answer per item). @default body */
  readonly documentedBody?: z.ZodType;
  /** The body may be left out (it is then `{}`). @default false */
  readonly optionalBody?: boolean;
  /** Success answers by status. */
  readonly responses: Readonly<Record<number, RouteResponse>>;
  /** Error answers beyond 401/403. */
  readonly errors: readonly ErrorStatus[];
  /** The API versions that have it. @default the current version */
  readonly versions?: readonly ApiVersion[];
  /**
   * `Cache-Control` of its successful GET answers, each of which carries an `ETag` and answers
   * `If-None-Match` with 304. @default "private, no-cache" (reuse only after revalidating)
   */
  readonly cache?: string;
  /** Its answers are pages: the body's cursor field also becomes a `Link: <…>; rel="next"` header. @default not paged */
  readonly pagedBy?: "nextCursor" | "cursor";
  /** It acts on a resource whose `ETag` a client may send back as `If-Match` (412 when it changed). @default false */
  readonly ifMatch?: boolean;
  /** Which of the caller's request budgets it takes from (see rate-limits.ts). @default `read` for GET, else `write` */
  readonly budget?: BudgetClass;
}

/**
 * The API's versions, oldest first. A route is served at `/api/<version>/…` for each version it
 * belongs to, and at its unversioned path `/api/…` as the current version (ADR 0010). A
 * deprecated version's answers carry `Deprecation` and `Sunset` headers and a link to its
 * successor until it is removed.
 */
export const API_VERSIONS = {
  v1: {},
} as const satisfies Record<string, ApiVersionStatus>;
export type ApiVersion = keyof typeof API_VERSIONS;
export const CURRENT_API_VERSION: ApiVersion = "v1";

export interface ApiVersionStatus {
  /** When it was deprecated (RFC 9745), and when it stops answering (RFC 8594). */
  readonly deprecated?: { readonly since: string; readonly sunset: string; readonly successor: string };
}

/** The paths a route answers at: one per version it belongs to, and the unversioned alias of the current one. */
export function pathsOf(
  route: Pick<Route, "path" | "versions">,
): { readonly path: Route["path"]; readonly version: ApiVersion }[] {
  const versions = route.versions ?? [CURRENT_API_VERSION];
  return [
    ...(versions.includes(CURRENT_API_VERSION) ? [{ path: route.path, version: CURRENT_API_VERSION }] : []),
    ...versions.map((version) => ({ path: versioned(route.path, version), version })),
  ];
}

/** `/api/tasks` in version `v1`: `/api/v1/tasks`. */
export const versioned = (path: `/api/${string}`, version: ApiVersion): `/api/${string}` =>
  `/api/${version}/${path.slice("/api/".length)}`;

/** The version a call was made in, from the route key API Gateway matched (`GET /api/v1/tasks`). */
export const versionOf = (routeKey: string | undefined): ApiVersion => {
  const named = routeKey?.match(/ \/api\/(v\d+)\//)?.[1];
  return named !== undefined && named in API_VERSIONS ? (named as ApiVersion) : CURRENT_API_VERSION;
};

/** What every answer of a deprecated version says: since when (RFC 9745), until when (RFC 8594), and what replaces it. */
export function deprecationHeaders(status: ApiVersionStatus): Record<string, string> {
  if (!status.deprecated) return {};
  return {
    deprecation: `@${Math.floor(Date.parse(status.deprecated.since) / 1_000)}`,
    sunset: new Date(status.deprecated.sunset).toUTCString(),
    link: `</api/${status.deprecated.successor}/>; rel="successor-version"`,
  };
}

/** A context's routes by name. */
export type RouteTable = Readonly<Record<string, Route>>;

/** The route key API Gateway routes by, e.g. `GET /api/tasks/{taskId}`. */
export const routeKey = (route: Pick<Route, "method" | "path">): string => `${route.method} ${route.path}`;

/** Whether `role` may call `route`. */
export const permits = (route: Pick<Route, "roles">, role: Role | undefined): boolean =>
  route.roles === PUBLIC || (role !== undefined && route.roles.includes(role));
