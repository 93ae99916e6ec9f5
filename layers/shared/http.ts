import type { MiddlewareObj } from "@middy/core";
import { parser } from "@aws-lambda-powertools/parser/middleware";
import { ParseError } from "@aws-lambda-powertools/parser";
import type { Context } from "aws-lambda";
import * as z from "zod";
import { DomainError, type FieldIssue, PayloadTooLargeError } from "./errors";
import { instrumented } from "./instrumented";
import { jsonText } from "./json-text";
import { type Caller, callerFromClaims, requireRole } from "./identity";
import { logger, metrics } from "./powertools";
import { etagOf, nextLink, notModified } from "./conditional-requests";
import { API_VERSIONS, deprecationHeaders, PUBLIC, type Route, versionOf } from "./routes";
import { admit, budgetOf, type RequestLimiter } from "./rate-limits";
import { DynamoDbRequestLimiter } from "./adapters/dynamodb-request-limiter";
import { dynamoDocumentClient } from "./adapters/aws-clients";
import { once } from "./once";
import { readEnv } from "./env";

/** What a handler returns: API Gateway HTTP API's payload format 2.0 response. */
export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const JSON_HEADERS = { "content-type": "application/json" } as const;

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** A JSON request body validated by `schema`; an unparseable body is a field error on `body`. */
export const jsonBody = <S extends z.ZodType>(schema: S) => jsonText(schema, "a JSON body is required");

const JwtClaims = z.record(z.string(), z.unknown());

/**
 * The parts of an HTTP API event our handlers read. We parse only these, not the whole
 * envelope: fields we never use cannot break a request (the local emulator, for one,
 * omits `requestContext.domainPrefix`).
 */
export const HttpEvent = z.object({
  /** e.g. `GET /api/v1/tasks/{taskId}`: which of a route's paths was called. */
  routeKey: z.string().optional(),
  rawQueryString: z.string().optional(),
  headers: z.record(z.string(), z.string()).default({}),
  isBase64Encoded: z.boolean().default(false),
  body: z.string().optional(),
  pathParameters: z.record(z.string(), z.string()).nullish(),
  queryStringParameters: z.record(z.string(), z.string()).nullish(),
  requestContext: z.object({
    requestId: z.string(),
    http: z.object({ sourceIp: z.string().optional() }).optional(),
    authorizer: z.object({ jwt: z.object({ claims: JwtClaims }).optional() }).nullish(),
  }),
});
export type HttpEvent = z.infer<typeof HttpEvent>;

/** Event parts whose validation failures are the caller's fault, reported as 400 field errors. */
const CALLER_PARTS = new Set(["body", "pathParameters", "queryStringParameters"]);

/** A validation issue as Standard Schema reports it (what the Powertools parser puts in `cause`). */
interface SchemaIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }>;
  /** Zod's unrecognized-keys issues name the unknown fields here. */
  readonly keys?: readonly string[];
}

function schemaIssues(error: unknown): readonly SchemaIssue[] | undefined {
  if (!(error instanceof ParseError)) return undefined;
  if (error.cause instanceof z.ZodError) return error.cause.issues;
  return Array.isArray(error.cause) ? (error.cause as SchemaIssue[]) : undefined;
}

const segment = (part: PropertyKey | { readonly key: PropertyKey }) => String(typeof part === "object" ? part.key : part);

function fieldIssues(issues: readonly SchemaIssue[]): { caller: FieldIssue[]; other: FieldIssue[] } {
  const caller: FieldIssue[] = [];
  const other: FieldIssue[] = [];
  for (const issue of issues.flatMap((i) =>
    i.keys ? i.keys.map((key) => ({ ...i, path: [...(i.path ?? []), key], message: "is not a known field" })) : [i],
  )) {
    const [part, ...rest] = (issue.path ?? []).map(segment);
    if (part !== undefined && CALLER_PARTS.has(part)) {
      caller.push({ field: part === "body" ? rest.join(".") || "body" : [part, ...rest].join("."), message: issue.message });
    } else {
      other.push({ field: [part, ...rest].join("."), message: issue.message });
    }
  }
  return { caller, other };
}

const Fields = z.array(z.object({ field: z.string(), message: z.string() }));

/** Every error answer: a stable code, a message, the request id, and the bad fields if any. */
export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      requestId: z.string(),
      fields: Fields.optional(),
    }),
  })
  .meta({ id: "ErrorResponse" });

/**
 * The same error as RFC 9457 problem details, for clients that ask for
 * `application/problem+json` (ADR 0010): `type` names the problem, `detail` says what happened,
 * and our `code`, `requestId` and `fields` ride along as extension members.
 */
export const ProblemDetails = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    requestId: z.string(),
    fields: Fields.optional(),
  })
  .meta({ id: "ProblemDetails" });

/** What `type` a problem with this code has: one URN per code, stable across versions. */
export const problemType = (code: string) => `urn:tge-swarm:problem:${code}`;

const TITLES: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Content Too Large",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

const wantsProblemDetails = (headers: Record<string, string> | undefined) =>
  /application\/problem\+json/i.test(headers?.accept ?? headers?.Accept ?? "");

/** An error answer, in the shape the client asked for (`Accept: application/problem+json`) or today's. */
function errorResponse(
  status: number,
  error: { code: string; message: string; requestId: string; fields?: readonly FieldIssue[] },
  requestHeaders: Record<string, string> | undefined,
  headers: Record<string, string> = {},
): HttpResponse {
  const fields = error.fields && error.fields.length > 0 ? { fields: [...error.fields] } : {};
  if (wantsProblemDetails(requestHeaders)) {
    const body: z.infer<typeof ProblemDetails> = {
      type: problemType(error.code),
      title: TITLES[status] ?? "Error",
      status,
      detail: error.message,
      code: error.code,
      requestId: error.requestId,
      ...fields,
    };
    return {
      statusCode: status,
      headers: { "content-type": "application/problem+json", ...headers },
      body: JSON.stringify(body),
    };
  }
  const body: z.infer<typeof ErrorResponse> = {
    error: { code: error.code, message: error.message, requestId: error.requestId, ...fields },
  };
  return json(status, body, headers);
}

/**
 * Turns every failure into a JSON response: validation failures into 400 naming each field,
 * domain errors into their own status, and anything else into a logged 500 that names no internals.
 */
export function httpErrors(): MiddlewareObj<unknown, HttpResponse, Error, Context> {
  return {
    onError: async (request) => {
      const error = request.error;
      const requestId = request.context.awsRequestId;
      const headers = (request.event as { headers?: Record<string, string> } | undefined)?.headers;
      const issues = schemaIssues(error);
      if (issues) {
        const { caller, other } = fieldIssues(issues);
        if (other.length === 0) {
          request.response = errorResponse(
            400,
            { code: "ValidationError", message: "the request is invalid", requestId, fields: caller },
            headers,
          );
          return;
        }
        logger.error("event did not match the expected shape", { issues: other });
      } else if (error instanceof DomainError) {
        if (error.status >= 500) logger.error("domain error", { error });
        request.response = errorResponse(
          error.status,
          { code: error.code, message: error.message, requestId, fields: error.fields },
          headers,
          { ...error.headers },
        );
        return;
      } else {
        logger.error("unhandled error", { error });
      }
      metrics.addMetric("UnhandledErrors", "Count", 1);
      request.response = errorResponse(500, { code: "InternalError", message: "internal error", requestId }, headers);
    },
  };
}

/** Refuses bodies over `maxBytes` with 413 before anything parses them. */
export function bodyLimit(maxBytes: number): MiddlewareObj<{ body?: string | null; isBase64Encoded?: boolean }> {
  return {
    before: async (request) => {
      const { body, isBase64Encoded } = request.event;
      if (!body) return;
      const size = isBase64Encoded ? Math.floor((body.length * 3) / 4) : Buffer.byteLength(body, "utf8");
      if (size > maxBytes) throw new PayloadTooLargeError("body", size, maxBytes);
    },
  };
}

/** API Gateway marks some JSON bodies base64; decode them so schemas see text. */
function decodeBase64Body(): MiddlewareObj<{ body?: string | null; isBase64Encoded?: boolean }> {
  return {
    before: async (request) => {
      const event = request.event;
      if (event.isBase64Encoded && typeof event.body === "string") {
        event.body = Buffer.from(event.body, "base64").toString("utf8");
        event.isBase64Encoded = false;
      }
    },
  };
}

export interface HttpRouteOptions {
  /** Largest accepted request body in bytes. @default 262144 */
  readonly maxBodyBytes?: number;
  /** Where callers' request budgets are kept. @default the rate-limits table named by `RATE_LIMITS_TABLE` */
  readonly limiter?: RequestLimiter;
}

/** The rate-limits table every route function is given (AuthorizedHttpApi.addRoutes). */
const tableLimiter = once(
  () =>
    new DynamoDbRequestLimiter(
      dynamoDocumentClient(),
      readEnv(z.object({ RATE_LIMITS_TABLE: z.string().min(1) })).RATE_LIMITS_TABLE,
    ),
);

/**
 * Takes the request from the caller's budget for the route's class, after the role check (a
 * caller refused a route spends nothing) and before anything is parsed: a user by `sub`, a caller
 * without a token (public routes only; the authorizer turns the rest away) by source IP.
 */
function rateLimit(route: Route, limiter: () => RequestLimiter): MiddlewareObj<unknown, HttpResponse, Error, Context> {
  return {
    before: async (request) => {
      const event = request.event as {
        requestContext?: { http?: { sourceIp?: string }; authorizer?: { jwt?: { claims?: Record<string, unknown> } } };
      };
      const sub = event.requestContext?.authorizer?.jwt?.claims?.sub;
      const who = typeof sub === "string" && sub ? { sub } : { sourceIp: event.requestContext?.http?.sourceIp ?? "unknown" };
      await admit(limiter(), who, budgetOf(route), Date.now());
    },
  };
}

/**
 * Refuses a caller the route does not admit, before anything of the request is read: no token
 * (or one without `sub`) answers 401, a token without a permitted role 403 — whatever the body
 * holds, so a caller without the role learns nothing of the route's schema.
 */
function authorize(route: Route): MiddlewareObj<unknown, HttpResponse, Error, Context> {
  return {
    before: async (request) => {
      if (route.roles === PUBLIC) return;
      const claims = (request.event as { requestContext?: { authorizer?: { jwt?: { claims?: Record<string, unknown> } } } })
        .requestContext?.authorizer?.jwt?.claims;
      requireRole(callerFromClaims(claims), route.roles);
    },
  };
}

/**
 * What every successful answer of a route carries besides its body: on a GET, an `ETag` and its
 * `Cache-Control`, and 304 with no body when the client's `If-None-Match` still matches (RFC
 * 9110); on a page, a `Link` to the next one (RFC 8288); on a deprecated version, `Deprecation`
 * (RFC 9745), `Sunset` (RFC 8594) and a link to the successor.
 */
function representation(route: Route): MiddlewareObj<HttpEvent, HttpResponse, Error, Context> {
  const deprecation = (event: HttpEvent) => deprecationHeaders(API_VERSIONS[versionOf(event.routeKey)]);
  return {
    after: async (request) => {
      const response = request.response;
      if (!response) return;
      const headers: Record<string, string> = { ...deprecation(request.event), ...response.headers };
      if (route.pagedBy && response.statusCode === 200) {
        const cursor = (JSON.parse(response.body) as Record<string, unknown>)[route.pagedBy];
        if (typeof cursor === "string") {
          const next = nextLink(request.event.rawQueryString, cursor);
          headers.link = headers.link ? `${headers.link}, ${next}` : next;
        }
      }
      if (route.method === "GET" && response.statusCode === 200) {
        headers.etag ??= etagOf(response.body);
        headers["cache-control"] ??= route.cache ?? "private, no-cache";
        if (notModified(request.event.headers["if-none-match"], headers.etag)) {
          request.response = {
            statusCode: 304,
            headers: { ...headers, "content-type": headers["content-type"] ?? "" },
            body: "",
          };
          return;
        }
      }
      request.response = { ...response, headers };
    },
  };
}

type Parsed<S extends z.ZodType | undefined, Otherwise> = S extends z.ZodType ? z.infer<S> : Otherwise;

/** What a route's handler gets: the request parsed by the route's schemas, and who is calling. */
export interface RouteRequest<R extends Route> {
  readonly params: Parsed<R["params"], Record<string, never>>;
  readonly query: Parsed<R["query"], Record<string, never>>;
  readonly body: Parsed<R["body"], undefined>;
  /** Absent only on public routes called without a token. */
  readonly caller: R["roles"] extends typeof PUBLIC ? Caller | undefined : Caller;
  readonly headers: Readonly<Record<string, string>>;
  /** The `If-Match` header, for routes that act on a resource (see `requireMatch`). */
  readonly ifMatch: string | undefined;
  readonly requestId: string;
}

/** An absent part of the request (API Gateway sends `null`) is the empty object its schema may default from. */
const orEmpty = <S extends z.ZodType>(schema: S) => z.preprocess((value) => value ?? {}, schema);

/** The event schema of a route: every part it reads, so one parse reports every bad field at once. */
function routeEvent(route: Route) {
  const body = route.body
    ? route.optionalBody
      ? z.preprocess((raw) => (raw === undefined || raw === null || raw === "" ? "{}" : raw), jsonBody(route.body))
      : jsonBody(route.body)
    : z.unknown().optional();
  return HttpEvent.extend({
    pathParameters: route.params ? orEmpty(route.params) : z.unknown().optional(),
    queryStringParameters: route.query ? orEmpty(route.query) : z.unknown().optional(),
    body,
  });
}

/**
 * The handler of one route of a route table: logging and metrics context, a one-line summary
 * per request, error mapping, the role check (before anything is read), the caller's request
 * budget (429 with `Retry-After` when spent), a body size limit, and
 * one zod parse of path, query and body, which names every bad field in one 400.
 *
 * @example
 * export const handler = httpRoute(TASK_ROUTES.getTask, async ({ params }) => json(200, await tasks.get(params.taskId)));
 */
export function httpRoute<R extends Route>(
  route: R,
  handle: (request: RouteRequest<R>, context: Context) => Promise<HttpResponse>,
  options: HttpRouteOptions = {},
) {
  const schema = routeEvent(route);
  type Event = z.infer<typeof schema>;
  return instrumented<Event, HttpResponse>(
    async (event, context) => {
      const claims = event.requestContext.authorizer?.jwt?.claims;
      const caller = route.roles === PUBLIC && !claims?.sub ? undefined : callerFromClaims(claims);
      return handle(
        {
          params: event.pathParameters,
          query: event.queryStringParameters,
          body: event.body,
          caller,
          headers: event.headers,
          ifMatch: event.headers["if-match"],
          requestId: event.requestContext.requestId,
        } as RouteRequest<R>,
        context,
      );
    },
    (response) => ({ statusCode: response?.statusCode }),
  )
    .use(httpErrors())
    .use(representation(route) as MiddlewareObj<Event, HttpResponse, Error, Context>)
    .use(authorize(route) as MiddlewareObj<Event, HttpResponse, Error, Context>)
    .use(
      rateLimit(route, options.limiter ? () => options.limiter as RequestLimiter : tableLimiter) as MiddlewareObj<
        Event,
        HttpResponse,
        Error,
        Context
      >,
    )
    .use(bodyLimit(options.maxBodyBytes ?? 262_144) as MiddlewareObj<Event, HttpResponse, Error, Context>)
    .use(decodeBase64Body() as MiddlewareObj<Event, HttpResponse, Error, Context>)
    .use(parser({ schema }));
}
