import * as z from "zod";
import { HealthReport } from "#core/monitoring/domain/health";
import { ErrorResponse } from "#core/shared/http";
import { JsonValue, SubmitTaskRequest, TaskView } from "#core/tasks/domain/task";

/** Named schemas, as they appear under components.schemas. */
const REQUESTS = { SubmitTaskRequest, JsonValue } as const;
const RESPONSES = { TaskView, ErrorResponse, HealthReport, JsonValue } as const;
type SchemaName = keyof typeof REQUESTS | keyof typeof RESPONSES;

interface Operation {
  readonly method: "get" | "post" | "put" | "delete";
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly public?: boolean;
  readonly request?: keyof typeof REQUESTS;
  readonly responses: Readonly<Record<number, { description: string; schema?: SchemaName; headers?: Record<string, string> }>>;
}

const errors = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((code) => [
      code,
      {
        description: {
          400: "Invalid input; `error.fields` names each bad field",
          401: "Missing or invalid token",
          403: "The caller's role may not do this",
          404: "Not found",
          409: "Conflicts with the current state",
          413: "Payload over the limit; `error.fields` names it",
          503: "A dependency is down",
        }[code] as string,
        schema: "ErrorResponse" as const,
      },
    ]),
  );

/** Every route of the HTTP API. An infra test checks this list against the routes the CDK defines. */
export const OPERATIONS: readonly Operation[] = [
  {
    method: "get",
    path: "/api/health",
    summary: "Health of each component the swarm depends on",
    description: "The only route that needs no token. 200 when every component answers, 503 otherwise.",
    public: true,
    responses: {
      200: { description: "All components answer", schema: "HealthReport" },
      503: { description: "A component is down", schema: "HealthReport" },
    },
  },
  {
    method: "post",
    path: "/api/tasks",
    summary: "Submit a task (operator or admin)",
    description:
      "Needs the `operator` or `admin` group. Stores the task as `queued` and sends it to its agent type's queue for its priority. With an `idempotencyKey`, a repeat of the same request answers 200 with the first task (header `idempotent-replayed: true`) and queues nothing; the same key with a different request answers 409.",
    request: "SubmitTaskRequest",
    responses: {
      201: { description: "Created", schema: "TaskView", headers: { location: "/api/tasks/{taskId}" } },
      200: { description: "Replay of an earlier request with the same idempotency key", schema: "TaskView" },
      ...errors(400, 401, 403, 409, 413),
    },
  },
  {
    method: "get",
    path: "/api/tasks/{taskId}",
    summary: "A task, with its status, result or error (any role)",
    responses: { 200: { description: "The task", schema: "TaskView" }, ...errors(401, 404) },
  },
];

function componentSchemas(): Record<string, unknown> {
  const uri = (id: string) => `#/components/schemas/${id}`;
  const generate = (schemas: Record<string, z.ZodType>, io: "input" | "output") => {
    const registry = z.registry<{ id: string }>();
    for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
    return z.toJSONSchema(registry, { io, uri, target: "draft-2020-12" }).schemas;
  };
  const schemas = { ...generate(REQUESTS, "input"), ...generate(RESPONSES, "output") };
  // OpenAPI carries the dialect once for the document, and names schemas by their key.
  for (const schema of Object.values(schemas)) {
    delete (schema as { $schema?: string }).$schema;
    delete (schema as { $id?: string }).$id;
  }
  return schemas;
}

/** The OpenAPI 3.1 document of the HTTP API, built from the same zod schemas the handlers parse with. */
export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const parameters = [...op.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
      name,
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    paths[op.path] ??= {};
    (paths[op.path] as Record<string, unknown>)[op.method] = {
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      ...(op.public ? { security: [] } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(op.request
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: { $ref: `#/components/schemas/${op.request}` } } },
            },
          }
        : {}),
      responses: Object.fromEntries(
        Object.entries(op.responses).map(([code, response]) => [
          code,
          {
            description: response.description,
            ...(response.headers
              ? {
                  headers: Object.fromEntries(
                    Object.entries(response.headers).map(([name, example]) => [name, { schema: { type: "string" }, example }]),
                  ),
                }
              : {}),
            ...(response.schema
              ? { content: { "application/json": { schema: { $ref: `#/components/schemas/${response.schema}` } } } }
              : {}),
          },
        ]),
      ),
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "TGE Swarm API",
      version: "0.1.0",
      description:
        "Control plane for a swarm of agents that watch for token generation events. Every route needs a Cognito access token (`Authorization: Bearer …`) except `GET /api/health`. Generated by `npm run openapi` from the zod schemas the handlers use.",
    },
    servers: [
      {
        url: "{HttpApiUrl}",
        description: "HttpApiUrl from .local/outputs.json (local) or the platform stack's outputs (AWS)",
        variables: { HttpApiUrl: { default: "http://127.0.0.1:4566/_aws/execute-api/apiId" } },
      },
    ],
    security: [{ cognitoJwt: [] }],
    paths,
    components: {
      securitySchemes: {
        cognitoJwt: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "A Cognito access token; `npm run token -- --user admin` prints one locally.",
        },
      },
      schemas: componentSchemas(),
    },
  };
}
