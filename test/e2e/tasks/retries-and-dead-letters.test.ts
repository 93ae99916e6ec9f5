import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, outputs, submit, type TaskBody, taskUntil, tokenFor } from "../support/api";
import { type Frame, WsClient } from "../../../scripts/local/ws-client";

describe("retries, timeouts and dead letters", () => {
  let client: WsClient;
  beforeAll(async () => {
    client = await WsClient.connect(outputs().WebSocketUrl, await tokenFor("viewer"));
    await client.subscribe(["tasks", "alerts"]);
  });
  afterAll(() => client?.close());

  it("retries a retryable failure with backoff, then dead-letters it and raises an alert", async () => {
    // GIVEN a task that always fails with a retryable error, allowed two retries
    const task = await submit({
      type: "diagnostics.fail",
      agentType: "api-reliability",
      maxRetries: 2,
      payload: { message: "upstream 503", retryable: true },
    });

    // THEN it runs three attempts, then is dead-lettered
    const dead = await taskUntil(task.taskId, (t) => t.status === "dead_lettered", 40_000);
    expect(dead).toMatchObject({ attempt: 3, error: { message: "upstream 503", retryable: true } });
    // Each attempt started, and each retry was announced as queued, with when it may start.
    for (const attempt of [1, 2, 3]) {
      await client.waitFor(
        (f) =>
          f.type === "task_update" && f.data.taskId === task.taskId && f.data.status === "running" && f.data.attempt === attempt,
        15_000,
        `attempt ${attempt}`,
      );
    }
    for (const attempt of [2, 3]) {
      const requeued = await client.waitFor(
        (f) =>
          f.type === "task_update" && f.data.taskId === task.taskId && f.data.status === "queued" && f.data.attempt === attempt,
        15_000,
      );
      // Backoff puts the next attempt at most retryMaxDelaySeconds (10 s locally) after it was queued again.
      const availableAt = Date.parse(String(requeued.data.availableAt));
      expect(availableAt).toBeGreaterThan(Date.parse(requeued.timestamp) - 60_000);
      expect(availableAt).toBeLessThanOrEqual(Date.parse(requeued.timestamp) + 10_000);
    }

    // AND a system alert named it
    const alert = await client.waitFor(
      (f: Frame) => f.type === "system_alert" && (f.data.resource as Record<string, string>)?.taskId === task.taskId,
      15_000,
    );
    expect(alert.data).toMatchObject({ severity: "warning", source: "tasks" });

    // AND it is listed among the dead letters with its last error
    const listed = await api<{ items: TaskBody[] }>("GET", "/api/tasks/dead-letters?agentType=api-reliability&limit=50");
    expect(listed.body.items.find((t) => t.taskId === task.taskId)).toMatchObject({
      status: "dead_lettered",
      error: { message: "upstream 503" },
    });
  });

  it("redrives a dead-lettered task as a new attempt with fresh retries", async () => {
    const task = await submit({
      type: "diagnostics.fail",
      agentType: "api-reliability",
      maxRetries: 0,
      payload: { message: "still down", retryable: true },
    });
    await taskUntil(task.taskId, (t) => t.status === "dead_lettered", 20_000);

    const { status, body } = await api<{ redriven: number; results: { taskId: string; outcome: string; attempt?: number }[] }>(
      "POST",
      "/api/tasks/dead-letters/redrive",
      { body: { taskIds: [task.taskId, "no-such-task"] } },
    );
    expect(status).toBe(200);
    expect(body).toEqual({
      redriven: 1,
      results: [
        { taskId: task.taskId, outcome: "redriven", attempt: 2 },
        { taskId: "no-such-task", outcome: "not_found" },
      ],
    });
    // It ran again (attempt 2), and with no retries left failed into the dead letters again.
    await client.waitFor(
      (f) => f.type === "task_update" && f.data.taskId === task.taskId && f.data.status === "running" && f.data.attempt === 2,
      20_000,
    );
    expect(await taskUntil(task.taskId, (t) => t.status === "dead_lettered" && t.attempt === 2, 20_000)).toMatchObject({
      attempt: 2,
    });
  });

  it("stops work that outlives its timeout, and retries or dead-letters it", async () => {
    // GIVEN a task that sleeps past its 2-second timeout, with no retries
    const started = Date.now();
    const task = await submit({
      type: "diagnostics.sleep",
      agentType: "keyword-precision",
      timeoutSeconds: 2,
      maxRetries: 0,
      payload: { ms: 60_000 },
    });

    // THEN the agent aborts it at its timeout, and it is dead-lettered as timed out — long before the sleep would end
    const dead = await taskUntil(task.taskId, (t) => t.status === "dead_lettered", 20_000);
    expect(dead.error).toMatchObject({ code: "TaskTimedOut", retryable: true });
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("fails a non-retryable error at once, without retrying", async () => {
    const task = await submit({
      type: "diagnostics.fail",
      agentType: "api-reliability",
      maxRetries: 3,
      payload: { message: "bad input", retryable: false },
    });
    expect(await taskUntil(task.taskId, (t) => t.status === "failed", 20_000)).toMatchObject({
      attempt: 1,
      error: { retryable: false },
    });
  });
});
