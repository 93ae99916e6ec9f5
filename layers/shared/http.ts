import type { MiddlewareObj } from "@middy/core";
import { parser } from "@aws-lambda-powertools/parser/middleware";
import { ParseError } from "@aws-lambda-powertools/parser";
import type { Context } from "aws-lambda";
import * as z from "zod";
import { DomainError, type FieldIssue, PayloadTooLargeError } from "./errors";
import { instrumented } from "./instrumented";
import { jsonText } from "./json-text";
import { logger, metrics } from "./powertools";

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
export const ErrorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    requestId: z.string(),
    fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  }),
});

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

export interface HttpHandlerOptions {
  /** Largest accepted request body in bytes. @default 262144 */
  readonly maxBodyBytes?: number;
}

/**
 * The standard middleware stack for an HTTP API route: logging and metrics context, a
 * one-line summary per request, error mapping, a body size limit, and zod parsing of the
 * event into `schema`.
 *
 * @example
 * export const handler = httpHandler(GetTaskEvent, async (event) => json(200, await tasks.get(event.pathParameters.taskId)));
 */
export function httpHandler<S extends z.ZodType>(
  schema: S,
  handle: (event: z.infer<S>, context: Context) => Promise<HttpResponse>,
  options: HttpHandlerOptions = {},
) {
  return instrumented<z.infer<S>, HttpResponse>(handle, (response) => ({ statusCode: response?.statusCode }))
    .use(httpErrors())
    .use(bodyLimit(options.maxBodyBytes ?? 262_144) as MiddlewareObj<z.infer<S>, HttpResponse, Error, Context>)
    .use(decodeBase64Body() as MiddlewareObj<z.infer<S>, HttpResponse, Error, Context>)
    .use(parser({ schema }));
}
