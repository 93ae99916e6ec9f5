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
import { PUBLIC, type Route } from "./routes";

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
  headers: z.record(z.string(), z.string()).default({}),
  isBase64Encoded: z.boolean().default(false),
  body: z.string().optional(),
  pathParameters: z.record(z.string(), z.string()).nullish(),
  queryStringParameters: z.record(z.string(), z.string()).nullish(),
  requestContext: z.object({
    requestId: z.string(),
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

/** Every error answer: a stable code, a message, the request id, and the bad fields if any. */
export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      requestId: z.string(),
      fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: "ErrorResponse" });

function errorBody(
  code: string,
  message: string,
  requestId: string,
  fields: readonly FieldIssue[] = [],
): z.infer<typeof ErrorResponse> {
  return { error: { code, message, requestId, ...(fields.length > 0 ? { fields: [...fields] } : {}) } };
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
      const issues = schemaIssues(error);
      if (issues) {
        const { caller, other } = fieldIssues(issues);
        if (other.length === 0) {
          request.response = json(400, errorBody("ValidationError", "the request is invalid", requestId, caller));
          return;
        }
        logger.error("event did not match the expected shape", { issues: other });
      } else if (error instanceof DomainError) {
        if (error.status >= 500) logger.error("domain error", { error });
        request.response = json(error.status, errorBody(error.code, error.message, requestId, error.fields), {
          ...error.headers,
        });
        return;
      } else {
        logger.error("unhandled error", { error });
      }
      metrics.addMetric("UnhandledErrors", "Count", 1);
      request.response = json(500, errorBody("InternalError", "internal error", requestId));
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

type Parsed<S extends z.ZodType | undefined, Otherwise> = S extends z.ZodType ? z.infer<S> : Otherwise;

/** What a route's handler gets: the request parsed by the route's schemas, and who is calling. */
export interface RouteRequest<R extends Route> {
  readonly params: Parsed<R["params"], Record<string, never>>;
  readonly query: Parsed<R["query"], Record<string, never>>;
  readonly body: Parsed<R["body"], undefined>;
  /** Absent only on public routes called without a token. */
  readonly caller: R["roles"] extends typeof PUBLIC ? Caller | undefined : Caller;
  readonly headers: Readonly<Record<string, string>>;
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
 * per request, error mapping, the role check (before anything is read), a body size limit, and
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
          requestId: event.requestContext.requestId,
        } as RouteRequest<R>,
        context,
      );
    },
    (response) => ({ statusCode: response?.statusCode }),
  )
    .use(httpErrors())
    .use(authorize(route) as MiddlewareObj<Event, HttpResponse, Error, Context>)
    .use(bodyLimit(options.maxBodyBytes ?? 262_144) as MiddlewareObj<Event, HttpResponse, Error, Context>)
    .use(decodeBase64Body() as MiddlewareObj<Event, HttpResponse, Error, Context>)
    .use(parser({ schema }));
}
