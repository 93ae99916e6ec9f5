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

    // …the dashboard hears queued → running → completed, in seq order…
    const updates = (frame: Frame) => frame.type === "task_update" && frame.data.taskId === taskId;
    await client.waitFor((frame) => updates(frame) && frame.data.status === "completed", 20_000, `completion of ${taskId}`);
    const seen = client.frames.filter(updates);
    expect(seen.map((frame) => frame.data.status)).toEqual(["queued", "running", "completed"]);
    const seqs = seen.map((frame) => frame.seq as number);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(3);
    expect(seen[2]?.data).toMatchObject({ previousStatus: "running", agentId: "e2e-data-quality-1" });
    expect(seen[2]?.data.executionTimeMs).toEqual(expect.any(Number));

    // …and the task holds the agent's result.
    const stored = await api<TaskView>("GET", `/api/tasks/${taskId}`);
    expect(stored.body).toMatchObject({
      status: "completed",
      agentId: "e2e-data-quality-1",
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
