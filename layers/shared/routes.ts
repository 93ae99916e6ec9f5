import type * as z from "zod";
import type { Role } from "./identity";

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
}

/** A context's routes by name. */
export type RouteTable = Readonly<Record<string, Route>>;

/** The route key API Gateway routes by, e.g. `GET /api/tasks/{taskId}`. */
export const routeKey = (route: Pick<Route, "method" | "path">): string => `${route.method} ${route.path}`;

/** Whether `role` may call `route`. */
export const permits = (route: Pick<Route, "roles">, role: Role | undefined): boolean =>
  route.roles === PUBLIC || (role !== undefined && route.roles.includes(role));
