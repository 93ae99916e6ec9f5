import { afterAll, describe, expect, inject, it } from "vitest";
import { api, cancelAllOf, eventually, submit, taskUntil } from "../support/api";
import { UNATTENDED_AGENT_TYPE } from "../support/global-setup";

afterAll(() => cancelAllOf(UNATTENDED_AGENT_TYPE));

const queuedOf = async (agentType: string) => {
  const { body } = await api<{ counts: { byAgentType: Record<string, { queued: number }> } }>("GET", "/api/tasks/status");
  return body.counts.byAgentType[agentType]?.queued ?? 0;
};

describe("backpressure and expiry", () => {
  it("refuses work with 429 and Retry-After once an agent type's queue is full", async () => {
    // GIVEN an empty queue that nobody drains, filled to its limit
    await cancelAllOf(UNATTENDED_AGENT_TYPE);
    await eventually(
      () => queuedOf(UNATTENDED_AGENT_TYPE),
      (n) => n === 0,
      15_000,
      "the queue to empty",
    );
    const { maxQueueDepth } = inject("config");
    // One more than fits, in one batch: the batch reads the counters once and counts its own
    // tasks as it admits them, so the one past the limit is refused although the counters
    // (which the relay moves later) still read 0 for all of them.
    const { body } = await api<{ summary: { created: number }; results: { status: number; error?: { code: string } }[] }>(
      "POST",
      "/api/tasks/batch",
      {
        body: {
          tasks: Array.from({ length: maxQueueDepth + 1 }, (_, i) => ({
            type: "diagnostics.echo",
            agentType: UNATTENDED_AGENT_TYPE,
            payload: { i },
          })),
        },
      },
    );
    expect(body.summary.created).toBe(maxQueueDepth);
    expect(body.results.at(-1)).toMatchObject({ status: 429, error: { code: "QueueFull" } });
    await eventually(
      () => queuedOf(UNATTENDED_AGENT_TYPE),
      (n) => n >= maxQueueDepth,
      15_000,
      "the counters to catch up",
    );

    // WHEN one more is submitted
    const refused = await api("POST", "/api/tasks", { body: { type: "diagnostics.echo", agentType: UNATTENDED_AGENT_TYPE } });

    // THEN it is refused with a time to come back, and other types still take work
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ error: { code: "QueueFull" } });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await api("POST", "/api/tasks", { body: { type: "diagnostics.echo", agentType: "data-quality" } })).status).toBe(201);
    await cancelAllOf(UNATTENDED_AGENT_TYPE);
  });

  it("expires a task nobody started within its time to live", async () => {
    const task = await submit({ type: "diagnostics.echo", agentType: UNATTENDED_AGENT_TYPE });
    const { queuedTaskTtlSeconds } = inject("config");
    const expired = await taskUntil(task.taskId, (t) => t.status === "expired", (queuedTaskTtlSeconds + 20) * 1_000, "expiry");
    expect(expired.error).toMatchObject({ code: "TaskExpired", retryable: false });
  });
});
