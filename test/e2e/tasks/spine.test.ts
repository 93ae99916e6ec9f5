import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, outputs, tokenFor } from "../support/api";
import { type Frame, WsClient } from "../../../scripts/local/ws-client";

interface TaskView {
  taskId: string;
  status: string;
  result?: Record<string, unknown>;
  agentId?: string;
}

describe("the spine: submit → agent → task_update on the dashboard", () => {
  let client: WsClient;

  beforeAll(async () => {
    client = await WsClient.connect(outputs().WebSocketUrl, await tokenFor("viewer"));
    await client.subscribe(["tasks"]);
  });
  afterAll(() => client?.close());

  it("runs a submitted task on an agent and streams every status change in order", async () => {
    // WHEN a task is submitted
    const submitted = await api<TaskView>("POST", "/api/tasks", {
      body: { type: "diagnostics.echo", agentType: "data-quality", priority: "high", payload: { hello: "swarm" } },
    });

    // THEN it is stored as queued…
    expect(submitted.status).toBe(201);
    expect(submitted.body).toMatchObject({ status: "queued", attempt: 1 });
    const { taskId } = submitted.body;

    // …the dashboard hears each change once — queued, running, completed, ordered by the task's
    // version (the bus does not promise order between events) — each with its own seq…
    const updates = (frame: Frame) => frame.type === "task_update" && frame.data.taskId === taskId;
    const statuses = ["queued", "running", "completed"];
    await Promise.all(
      statuses.map((status) => client.waitFor((f) => updates(f) && f.data.status === status, 20_000, `${status} of ${taskId}`)),
    );
    const seen = client.frames.filter(updates).sort((a, b) => Number(a.data.version) - Number(b.data.version));
    expect(seen.map((frame) => frame.data.status)).toEqual(statuses);
    expect(seen.map((frame) => frame.data.version)).toEqual([1, 2, 3]);
    expect(new Set(seen.map((frame) => frame.seq)).size).toBe(3);
    // …run by the data-quality agent of the type's ECS service…
    const fleet = await api<{ agents: { agentId: string; agentType: string; taskArn?: string }[] }>("GET", "/api/agents/status");
    const runner = fleet.body.agents.find((agent) => agent.agentType === "data-quality" && agent.taskArn);
    expect(runner).toBeDefined();
    expect(seen[2]?.data).toMatchObject({ previousStatus: "running", agentId: runner?.agentId });
    expect(seen[2]?.data.executionTimeMs).toBeGreaterThanOrEqual(0);
    expect(seen[2]?.data.executionTimeMs).toBeLessThan(30_000);

    // …and the task holds the agent's result.
    const stored = await api<TaskView>("GET", `/api/tasks/${taskId}`);
    expect(stored.body).toMatchObject({
      status: "completed",
      agentId: runner?.agentId,
      result: { echo: { hello: "swarm" } },
    });
  });

  it("records a failing task as failed, with the agent's error", async () => {
    const { body } = await api<TaskView>("POST", "/api/tasks", {
      body: {
        type: "diagnostics.fail",
        agentType: "keyword-precision",
        payload: { message: "source unreachable", retryable: false },
      },
    });
    await client.waitFor((f) => f.type === "task_update" && f.data.taskId === body.taskId && f.data.status === "failed", 20_000);
    const stored = await api("GET", `/api/tasks/${body.taskId}`);
    expect(stored.body).toMatchObject({ status: "failed", error: { message: "source unreachable", retryable: false } });
  });

  it("answers 404 for a task that does not exist", async () => {
    const { status, body } = await api("GET", "/api/tasks/no-such-task");
    expect(status).toBe(404);
    expect(body).toMatchObject({ error: { code: "NotFound" } });
  });
});
