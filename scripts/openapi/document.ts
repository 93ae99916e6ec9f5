import * as z from "zod";
import { Agent } from "#agents/domain/agent";
import { AgentActionResult, DeployResult, ScaleRequest, ScaleResult } from "#agents/domain/agent-actions";
import { FleetStatusQuery, FleetStatusView } from "#agents/domain/fleet-status";
import { DetectionListQuery, DetectionPage } from "#detection/domain/detection";
import {
  BroadcastAccepted,
  BroadcastRequest,
  ConnectionListQuery,
  ConnectionListView,
  EventHistoryQuery,
  EventHistoryView,
  RoomListView,
} from "#realtime/domain/management";
import { HealthReport } from "#monitoring/domain/health";
import { ErrorResponse } from "#shared/http";
import { BulkCancelRequest, BulkCancelResponse, CancelTaskRequest } from "#tasks/domain/cancel-tasks";
import { QueueViewResponse } from "#tasks/domain/queue-view";
import { RedriveRequest, RedriveResponse } from "#tasks/domain/redrive-tasks";
import { SubmitBatchRequest, SubmitBatchResponse } from "#tasks/domain/submit-batch";
import { SubmitTaskRequest, TaskSummary, TaskView } from "#tasks/domain/task";
import { DeadLetterListQuery, TaskListQuery, TaskPage } from "#tasks/domain/task-list";
import { TaskStatusView } from "#tasks/domain/task-stats";
import { JsonValue } from "#kernel/json";

/** Named schemas, as they appear under components.schemas. */
const REQUESTS = {
  SubmitTaskRequest,
  SubmitBatchRequest,
  CancelTaskRequest,
  BulkCancelRequest,
  RedriveRequest,
  ScaleRequest,
  BroadcastRequest,
  JsonValue,
} as const;
const RESPONSES = {
  TaskView,
  TaskSummary,
  TaskPage,
  TaskStatusView,
  QueueViewResponse,
  SubmitBatchResponse,
  BulkCancelResponse,
  RedriveResponse,
  ErrorResponse,
  HealthReport,
  FleetStatusView,
  Agent,
  AgentActionResult,
  ScaleResult,
  DeployResult,
  DetectionPage,
  ConnectionListView,
  RoomListView,
  EventHistoryView,
  BroadcastAccepted,
  JsonValue,
} as const;
type SchemaName = keyof typeof REQUESTS | keyof typeof RESPONSES;

interface Operation {
  readonly method: "get" | "post" | "put" | "delete";
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly public?: boolean;
  readonly request?: keyof typeof REQUESTS;
  /** The request body may be left out. */
  readonly optionalBody?: boolean;
  /** Query parameters, from a zod object schema. */
  readonly query?: z.ZodObject;
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
          429: "The agent type's queue is full; retry after the `Retry-After` header's seconds",
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
      ...errors(400, 401, 403, 409, 413, 429),
    },
  },
  {
    method: "post",
    path: "/api/tasks/batch",
    summary: "Submit up to 100 tasks (operator or admin)",
    description:
      "Each item is validated and submitted on its own, so one bad item never fails the others. Answers 200 with a result per item, in order, each carrying the status that item alone would have got (201, 200, 400, 409, 413, 429).",
    request: "SubmitBatchRequest",
    responses: { 200: { description: "A result per item", schema: "SubmitBatchResponse" }, ...errors(400, 401, 403, 413) },
  },
  {
    method: "get",
    path: "/api/tasks",
    summary: "Task summaries, newest first, filtered and paginated (any role)",
    query: TaskListQuery,
    responses: { 200: { description: "A page of summaries", schema: "TaskPage" }, ...errors(400, 401, 403) },
  },
  {
    method: "get",
    path: "/api/tasks/status",
    summary: "Counts by status, priority and type; throughput; average queue and execution time (any role)",
    responses: { 200: { description: "The orchestration metrics", schema: "TaskStatusView" }, ...errors(401, 403) },
  },
  {
    method: "get",
    path: "/api/tasks/queue",
    summary: "Each queue: visible, in flight, delayed, dead letters, oldest queued task's age (any role)",
    responses: { 200: { description: "One row per agent type and priority", schema: "QueueViewResponse" }, ...errors(401, 403) },
  },
  {
    method: "get",
    path: "/api/tasks/dead-letters",
    summary: "Dead-lettered tasks with their last error, newest first (any role)",
    query: DeadLetterListQuery,
    responses: { 200: { description: "A page of summaries", schema: "TaskPage" }, ...errors(400, 401, 403) },
  },
  {
    method: "post",
    path: "/api/tasks/dead-letters/redrive",
    summary: "Re-queue chosen dead-lettered tasks with fresh retries (operator or admin)",
    request: "RedriveRequest",
    responses: { 200: { description: "A result per task", schema: "RedriveResponse" }, ...errors(400, 401, 403) },
  },
  {
    method: "post",
    path: "/api/tasks/cancel",
    summary: "Cancel queued and running tasks by filter or by id (operator or admin)",
    request: "BulkCancelRequest",
    responses: { 200: { description: "A result per task", schema: "BulkCancelResponse" }, ...errors(400, 401, 403) },
  },
  {
    method: "get",
    path: "/api/tasks/{taskId}",
    summary: "A task, with its status, result or error (any role)",
    responses: { 200: { description: "The task", schema: "TaskView" }, ...errors(401, 403, 404) },
  },
  {
    method: "post",
    path: "/api/tasks/{taskId}/cancel",
    summary: "Cancel a task (operator or admin)",
    description:
      "A queued task never starts; a running one is aborted at its agent's next heartbeat and its late result refused; a finished one answers 409.",
    request: "CancelTaskRequest",
    optionalBody: true,
    responses: { 200: { description: "The cancelled task", schema: "TaskView" }, ...errors(400, 401, 403, 404, 409) },
  },
  {
    method: "get",
    path: "/api/agents/status",
    summary: "Each agent type's desired and running size, and every agent's state and workload (any role)",
    query: FleetStatusQuery,
    responses: { 200: { description: "The fleet", schema: "FleetStatusView" }, ...errors(400, 401, 403) },
  },
  {
    method: "get",
    path: "/api/agents/{agentId}",
    summary: "An agent: capabilities, status, last heartbeat and workload (any role)",
    description: "An agent's id is its ECS task id.",
    responses: { 200: { description: "The agent", schema: "Agent" }, ...errors(401, 403, 404) },
  },
  {
    method: "post",
    path: "/api/agents/{agentId}/{action}",
    summary: "Start, stop or restart an agent through ECS (operator or admin)",
    description:
      "`action` is `start`, `stop` or `restart`. Restart stops the agent's task and its service starts a replacement; stop also lowers the type's desired count; start raises it. Sizes set here hold against the scaler for 30 minutes. Answers 202: ECS carries it out within seconds.",
    responses: {
      202: { description: "Accepted", schema: "AgentActionResult" },
      ...errors(400, 401, 403, 404, 409),
    },
  },
  {
    method: "post",
    path: "/api/agent-types/{type}/deploy",
    summary: "Replace every agent of a type with a new deployment (operator or admin)",
    description: "A rolling deployment behind the ECS deployment circuit breaker. A type at zero agents is started at one.",
    responses: { 202: { description: "Accepted", schema: "DeployResult" }, ...errors(400, 401, 403) },
  },
  {
    method: "put",
    path: "/api/agent-types/{type}/scale",
    summary: "Set how many agents of a type run (operator or admin)",
    description:
      "At most `maxAgentsPerType`. The size holds against the scaler for 30 minutes (`autoscalingResumesAt`), then the type is sized by its load again.",
    request: "ScaleRequest",
    responses: { 202: { description: "Accepted", schema: "ScaleResult" }, ...errors(400, 401, 403) },
  },
  {
    method: "get",
    path: "/api/detections",
    summary: "TGE detections, newest first, each with the feed items that reported it (any role)",
    query: DetectionListQuery,
    responses: { 200: { description: "A page of detections", schema: "DetectionPage" }, ...errors(400, 401, 403) },
  },
  {
    method: "get",
    path: "/api/websocket/connections",
    summary: "Open dashboard connections: who, since when, subscriptions and rooms (operator or admin)",
    query: ConnectionListQuery,
    responses: { 200: { description: "A page of connections", schema: "ConnectionListView" }, ...errors(400, 401, 403) },
  },
  {
    method: "get",
    path: "/api/websocket/rooms",
    summary: "Rooms joined in the last day and who is in each now (any role)",
    responses: { 200: { description: "The rooms", schema: "RoomListView" }, ...errors(401, 403) },
  },
  {
    method: "get",
    path: "/api/websocket/event-history",
    summary: "The newest events of a room, a topic, or every topic, oldest first (any role)",
    description:
      "The same history WebSocket clients `replay` from, kept for `eventRetentionHours`. Give `room` or `topic`, not both.",
    query: EventHistoryQuery as unknown as z.ZodObject,
    responses: { 200: { description: "Events in `seq` order", schema: "EventHistoryView" }, ...errors(400, 401, 403) },
  },
  {
    method: "post",
    path: "/api/websocket/broadcast",
    summary: "Announce to every `alerts` subscriber, or message one room (admin)",
    description:
      "Without `room`: a `system_alert` (source `admin`) on the `alerts` topic. With `room`: a `room_message` to its members. Goes through the event bus, so it gets a `seq` and can be replayed.",
    request: "BroadcastRequest",
    responses: { 202: { description: "On the bus", schema: "BroadcastAccepted" }, ...errors(400, 401, 403) },
  },
];

/** Query parameters from a zod object schema, each with its own JSON schema. */
function queryParameters(query: z.ZodObject) {
  return Object.entries(query.shape).map(([name, schema]) => {
    const json = z.toJSONSchema(schema as z.ZodType, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
    delete json.$schema;
    return { name, in: "query", required: !(schema as z.ZodType).safeParse(undefined).success, schema: json };
  });
}

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
    const parameters = [
      ...[...op.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
        name,
        in: "path",
        required: true,
        schema: { type: "string" },
      })),
      ...(op.query ? queryParameters(op.query) : []),
    ];
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
