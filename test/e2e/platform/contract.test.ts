import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { CURRENT_API_VERSION, type Route, routeKey } from "#shared/routes";
import { buildOpenApiDocument } from "../../../scripts/openapi/document";
import { ALL_ROUTES } from "../../../scripts/openapi/route-tables";
import { api, submit, taskUntil, tokenFor } from "../support/api";
import { fleetSettles, fleetView } from "../support/fleet";
import { UNATTENDED_AGENT_TYPE } from "../support/global-setup";

/** How to call a route for real in the contract test: its path (params filled) and body, as admin unless said. */
interface Call {
  readonly path: string;
  readonly body?: unknown;
  readonly role?: "admin" | "operator" | "viewer";
  /** Runs after the call, to put back what it changed. */
  readonly after?: () => Promise<void>;
}

const document = buildOpenApiDocument(CURRENT_API_VERSION) as {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
};
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(document, "openapi");

/** The schema the document gives this route's answer with this status, if it gives one. */
function schemaOf(route: Route, status: number): unknown {
  const operation =
    document.paths[`/api/${CURRENT_API_VERSION}/${route.path.slice("/api/".length)}`]?.[route.method.toLowerCase()];
  const response = operation?.responses[String(status)];
  if (!response) throw new Error(`${routeKey(route)} answered ${status}, which its document does not list`);
  const schema = response.content?.["application/json"]?.schema as { $ref?: string } | undefined;
  // The document's references are relative to it: resolve them in the document ajv holds as "openapi".
  return schema?.$ref ? { $ref: `openapi${schema.$ref}` } : schema;
}

describe("the OpenAPI document is the contract", () => {
  it("every route's real answer matches the document's schema for its status", async () => {
    // GIVEN a task, an agent, and harmless inputs for every route
    const task = await submit({ type: "diagnostics.echo", agentType: "data-quality", payload: { contract: true } });
    await taskUntil(task.taskId, (t) => t.status === "completed");
    const [agent] = (await fleetView()).agents;
    if (!agent) throw new Error("no agent runs");
    const held = await api<{ leaseId: string }>("POST", "/api/coordination/locks", {
      token: await tokenFor("operator"),
      body: { resource: "contract/renewed", mode: "exclusive", ttlSeconds: 30 },
    });
    const lease = encodeURIComponent(held.body.leaseId);
    const thresholds = await api<{ version: string }>("GET", "/api/settings/review-thresholds");
    const calls: Record<string, Call> = {
      "POST /api/tasks": { path: "/api/tasks", body: { type: "diagnostics.echo", agentType: "data-quality" } },
      "POST /api/tasks/batch": {
        path: "/api/tasks/batch",
        body: { tasks: [{ type: "diagnostics.echo", agentType: "data-quality" }, { type: "x" }] },
      },
      "GET /api/tasks": { path: "/api/tasks?limit=3" },
      "GET /api/tasks/status": { path: "/api/tasks/status" },
      "GET /api/tasks/queue": { path: "/api/tasks/queue" },
      "GET /api/tasks/dead-letters": { path: "/api/tasks/dead-letters?limit=3" },
      "POST /api/tasks/dead-letters/redrive": {
        path: "/api/tasks/dead-letters/redrive",
        body: { taskIds: [task.taskId, "no-such"] },
      },
      "POST /api/tasks/cancel": { path: "/api/tasks/cancel", body: { taskIds: [task.taskId, "no-such"] } },
      "GET /api/tasks/{taskId}": { path: `/api/tasks/${task.taskId}` },
      "POST /api/tasks/{taskId}/cancel": { path: `/api/tasks/${task.taskId}/cancel`, body: { reason: "contract" } },
      "GET /api/agents": { path: "/api/agents?limit=3" },
      "POST /api/agents/bulk": { path: "/api/agents/bulk", body: { action: "restart", agentIds: ["no-such"] } },
      "GET /api/agents/status": { path: "/api/agents/status" },
      "GET /api/agents/{agentId}": { path: `/api/agents/${agent.agentId}` },
      "POST /api/agents/{agentId}/{action}": { path: "/api/agents/no-such/restart" },
      "POST /api/agent-types/{type}/deploy": {
        path: "/api/agent-types/api-reliability/deploy",
        after: async () => void (await fleetSettles("api-reliability", 1)),
      },
      "PUT /api/agent-types/{type}/scale": { path: `/api/agent-types/${UNATTENDED_AGENT_TYPE}/scale`, body: { replicas: 0 } },
      "GET /api/detections": { path: "/api/detections?limit=3" },
      "GET /api/websocket/connections": { path: "/api/websocket/connections" },
      "GET /api/websocket/rooms": { path: "/api/websocket/rooms" },
      "GET /api/websocket/event-history": { path: "/api/websocket/event-history?limit=3" },
      "GET /api/websocket/statistics": { path: "/api/websocket/statistics" },
      "POST /api/websocket/broadcast": { path: "/api/websocket/broadcast", body: { message: "contract test", room: "contract" } },
      "GET /api/coordination/status": { path: "/api/coordination/status" },
      "GET /api/coordination/locks": { path: "/api/coordination/locks" },
      "POST /api/coordination/locks": {
        path: "/api/coordination/locks",
        body: { resource: "contract/acquired", mode: "shared", ttlSeconds: 5 },
      },
      "POST /api/coordination/locks/{leaseId}/renew": {
        path: `/api/coordination/locks/${lease}/renew`,
        body: { ttlSeconds: 30 },
        role: "operator",
      },
      "DELETE /api/coordination/locks/{leaseId}": { path: `/api/coordination/locks/${lease}`, role: "operator" },
      "GET /api/coordination/conflicts": { path: "/api/coordination/conflicts?limit=3" },
      "GET /api/coordination/events": { path: "/api/coordination/events?limit=3" },
      "GET /api/coordination/insights": { path: "/api/coordination/insights?limit=3" },
      "POST /api/optimizations": {
        path: "/api/optimizations",
        // A patch that does not apply: its 422 is checked against the document, and nothing changes.
        body: {
          type: "performance",
          severity: "low",
          title: "contract",
          document: "review-thresholds",
          baseVersion: thresholds.body.version,
          patch: [{ op: "remove", path: "/no-such-setting" }],
          confidence: 0.5,
        },
        role: "operator",
      },
      "GET /api/optimizations": { path: "/api/optimizations?limit=3" },
      "GET /api/optimizations/metrics": { path: "/api/optimizations/metrics" },
      "GET /api/optimizations/{recommendationId}": { path: "/api/optimizations/no-such" },
      "POST /api/optimizations/{recommendationId}/approve": {
        path: "/api/optimizations/no-such/approve",
        body: {},
        role: "operator",
      },
      "POST /api/optimizations/{recommendationId}/reject": {
        path: "/api/optimizations/no-such/reject",
        body: {},
        role: "operator",
      },
      "GET /api/models": { path: "/api/models" },
      "GET /api/models/{name}/versions": { path: "/api/models/no-such/versions?limit=3" },
      "GET /api/models/{name}/versions/{version}": { path: "/api/models/no-such/versions/v1" },
      "GET /api/models/{name}/versions/{version}/export": { path: "/api/models/no-such/versions/v1/export" },
      "POST /api/models/{name}/versions/{version}/promote": { path: "/api/models/no-such/versions/v1/promote", role: "operator" },
      "GET /api/settings": { path: "/api/settings" },
      "GET /api/settings/{name}": { path: "/api/settings/runtime-settings" },
      "GET /api/settings/{name}/versions": { path: "/api/settings/runtime-settings/versions?limit=3" },
      "POST /api/jobs": {
        path: "/api/jobs",
        // Unknown dataset: its 400 is checked against the document, and no job is queued.
        body: { type: "scorer-training", parameters: { datasets: ["fixture:no-such"] } },
        role: "operator",
      },
      "GET /api/jobs": { path: "/api/jobs?limit=3" },
      "GET /api/jobs/statistics": { path: "/api/jobs/statistics" },
      "GET /api/jobs/{jobId}": { path: "/api/jobs/00000000-0000-4000-8000-000000000000" },
      "POST /api/jobs/{jobId}/cancel": { path: "/api/jobs/00000000-0000-4000-8000-000000000000/cancel", role: "operator" },
      "POST /api/files/uploads": {
        path: "/api/files/uploads",
        body: { files: [{ name: "contract.json", size: 2, contentType: "application/json", fileType: "dataset" }] },
        role: "operator",
      },
      "GET /api/files": { path: "/api/files?limit=3" },
      "GET /api/files/statistics": { path: "/api/files/statistics" },
      "GET /api/files/{fileId}": { path: "/api/files/no-such" },
      "GET /api/files/{fileId}/download": { path: "/api/files/no-such/download" },
      "POST /api/files/{fileId}/validate": { path: "/api/files/no-such/validate", role: "operator" },
      "GET /api/health": { path: "/api/health" },
      "GET /api/metrics/system": { path: "/api/metrics/system?window=5m" },
      "GET /api/openapi.json": { path: "/api/openapi.json" },
    };
    // Every route of the tables is called: a new route needs a call here.
    expect(Object.keys(calls).sort()).toEqual(ALL_ROUTES.map(routeKey).sort());

    // WHEN each is called, THEN its answer matches the document
    for (const route of ALL_ROUTES) {
      const call = calls[routeKey(route)] as Call;
      const answer = await api<unknown>(route.method, call.path, {
        token: await tokenFor(call.role ?? "admin"),
        ...(call.body === undefined ? {} : { body: call.body }),
      });
      const schema = schemaOf(route, answer.status);
      if (schema) {
        const valid = ajv.validate(schema as object, answer.body);
        expect(valid, `${routeKey(route)} ${answer.status}: ${ajv.errorsText(ajv.errors)}`).toBe(true);
      }
      await call.after?.();
    }
    // The control: the same check refuses an answer that does not match.
    const getTask = ALL_ROUTES.find((r) => routeKey(r) === "GET /api/tasks/{taskId}") as Route;
    expect(ajv.validate(schemaOf(getTask, 200) as object, { taskId: 7 })).toBe(false);
  });
});
