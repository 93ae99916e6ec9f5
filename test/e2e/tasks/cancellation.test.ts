import { afterAll, describe, expect, it } from "vitest";
import { logOf, startAgent } from "../support/agents";
import { api, cancelAllOf, eventually, submit, type TaskBody, taskUntil, tokenFor } from "../support/api";
import { UNATTENDED_AGENT_TYPE } from "../support/global-setup";

afterAll(() => cancelAllOf(UNATTENDED_AGENT_TYPE));

describe("cancellation", () => {
  it("a cancelled queued task never starts", async () => {
    // GIVEN a queued task no agent has taken yet
    const task = await submit({ type: "diagnostics.echo", agentType: UNATTENDED_AGENT_TYPE, priority: "critical" });
    // WHEN it is cancelled, then an agent comes along
    const cancelled = await api<TaskBody>("POST", `/api/tasks/${task.taskId}/cancel`, { body: { reason: "no longer needed" } });
    expect(cancelled).toMatchObject({ status: 200, body: { status: "cancelled", cancelReason: "no longer needed" } });
    const agent = startAgent(UNATTENDED_AGENT_TYPE, "e2e-cancel-queued");
    // THEN the agent refuses the message and the task stays cancelled, never started
    await eventually(
      async () => logOf(agent),
      (log) => log.includes(task.taskId),
      15_000,
      "the agent to see the message",
    );
    const after = (await api<TaskBody>("GET", `/api/tasks/${task.taskId}`)).body;
    expect(after).toMatchObject({ status: "cancelled" });
    expect(after.startedAt).toBeUndefined();
  });

  it("a cancelled running task is aborted by its agent at the next heartbeat", async () => {
    const task = await submit({
      type: "diagnostics.sleep",
      agentType: "scraping-efficiency",
      priority: "high",
      payload: { ms: 120_000 },
      timeoutSeconds: 300,
    });
    const running = await taskUntil(task.taskId, (t) => t.status === "running", 15_000);
    expect((await api("POST", `/api/tasks/${task.taskId}/cancel`)).status).toBe(200);
    const log = `.local/logs/${running.agentId}.log`;
    await eventually(
      async () => logOf(log),
      (text) => text.includes("aborting: the task is no longer ours") && text.includes(task.taskId),
      20_000,
      "the agent to abort",
    );
    const after = (await api<TaskBody>("GET", `/api/tasks/${task.taskId}`)).body;
    expect(after).toMatchObject({ status: "cancelled" });
    expect(after.result).toBeUndefined();
  });

  it("a finished task cannot be cancelled (409), and a missing one is 404", async () => {
    const task = await submit({ type: "diagnostics.echo", agentType: "data-quality" });
    await taskUntil(task.taskId, (t) => t.status === "completed");
    expect(await api("POST", `/api/tasks/${task.taskId}/cancel`)).toMatchObject({
      status: 409,
      body: { error: { code: "TaskNotCancellable" } },
    });
    expect((await api("POST", "/api/tasks/no-such-task/cancel")).status).toBe(404);
  });

  it("cancels in bulk by filter, leaving other types alone, and refuses an empty filter", async () => {
    const mine = await Promise.all(
      [1, 2, 3].map(() => submit({ type: "diagnostics.echo", agentType: UNATTENDED_AGENT_TYPE, priority: "low" })),
    );
    const { status, body } = await api<{ cancelled: number; results: { taskId: string; outcome: string }[] }>(
      "POST",
      "/api/tasks/cancel",
      {
        body: { filter: { agentType: UNATTENDED_AGENT_TYPE, priority: "low", status: "queued" }, reason: "bulk" },
      },
    );
    expect(status).toBe(200);
    expect(body.results.filter((r) => r.outcome === "cancelled").map((r) => r.taskId)).toEqual(
      expect.arrayContaining(mine.map((t) => t.taskId)),
    );
    expect((await api("POST", "/api/tasks/cancel", { body: { filter: {} } })).status).toBe(400);
    expect((await api("POST", "/api/tasks/cancel", { body: { taskIds: ["x"], filter: { status: "queued" } } })).status).toBe(400);
  });

  it("lets viewers read but not cancel (403)", async () => {
    const task = await submit({ type: "diagnostics.echo", agentType: UNATTENDED_AGENT_TYPE });
    expect((await api("POST", `/api/tasks/${task.taskId}/cancel`, { token: await tokenFor("viewer") })).status).toBe(403);
  });
});
