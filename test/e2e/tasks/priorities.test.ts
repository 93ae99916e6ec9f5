import { PurgeQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, describe, expect, it } from "vitest";
import { percentile } from "../../../scripts/bench/stats";
import { startAgent } from "../support/agents";
import { api, cancelAllOf, eventually, outputs, type TaskBody } from "../support/api";
import { UNATTENDED_AGENT_TYPE } from "../support/global-setup";
import type { QueueRow } from "#kernel/bus/metrics-snapshot";
import { PRIORITIES } from "#kernel/task-vocabulary";

afterAll(() => cancelAllOf(UNATTENDED_AGENT_TYPE));

/** The test's own waits (30 s for the queues to fill, 90 s for the 40 tasks to finish) fit inside it. */
const SATURATION_TIMEOUT_MS = 150_000;

describe("priorities under saturation", () => {
  it("high-priority work waits less than low, and low still progresses", { timeout: SATURATION_TIMEOUT_MS }, async () => {
    // GIVEN 20 high and 20 low tasks queued for a type before its one single-slot agent starts
    // (messages of earlier tests' cancelled tasks would only be refused, but they would come first)
    await cancelAllOf(UNATTENDED_AGENT_TYPE);
    const sqs = new SQSClient({});
    for (const priority of PRIORITIES)
      await sqs.send(new PurgeQueueCommand({ QueueUrl: outputs().WorkQueueUrls[UNATTENDED_AGENT_TYPE][priority] }));
    sqs.destroy();
    const batch = (priority: string) =>
      api<{ results: { task: TaskBody }[] }>("POST", "/api/tasks/batch", {
        body: {
          tasks: Array.from({ length: 20 }, (_, i) => ({
            type: "diagnostics.sleep",
            agentType: UNATTENDED_AGENT_TYPE,
            priority,
            payload: { ms: 50 },
            idempotencyKey: `sat-${priority}-${Date.now()}-${i}`,
          })),
        },
      });
    const low = (await batch("low")).body.results.map((r) => r.task.taskId);
    const high = (await batch("high")).body.results.map((r) => r.task.taskId);
    // The relay puts them on their queues from the table's stream: wait until all 40 wait there.
    await eventually(
      async () => (await api<{ queues: QueueRow[] }>("GET", "/api/tasks/queue")).body.queues,
      (queues) =>
        ["high", "low"].every(
          (priority) =>
            (queues.find((q) => q.agentType === UNATTENDED_AGENT_TYPE && q.priority === priority)?.visible ?? 0) >= 20,
        ),
      30_000,
      "20 high and 20 low messages on the queues",
    );

    // WHEN the agent works through them one at a time
    startAgent(UNATTENDED_AGENT_TYPE, "e2e-saturation", { MAX_CONCURRENT_TASKS: "1" });
    const finished = await eventually(
      async () => Promise.all([...low, ...high].map(async (taskId) => (await api<TaskBody>("GET", `/api/tasks/${taskId}`)).body)),
      (tasks) => tasks.every((t) => t.status === "completed"),
      90_000,
      "all 40 tasks to complete",
    );

    // THEN high-priority tasks waited less (p95), and some low ones ran before the highs were done
    const wait = (t: TaskBody) => Date.parse(t.startedAt ?? "") - Date.parse(t.queuedAt);
    const byId = new Map(finished.map((t) => [t.taskId, t]));
    const highWaits = high.map((id) => wait(byId.get(id) as TaskBody));
    const lowWaits = low.map((id) => wait(byId.get(id) as TaskBody));
    expect(percentile(highWaits, 95)).toBeLessThan(percentile(lowWaits, 95));
    const lastHighStart = Math.max(...high.map((id) => Date.parse(byId.get(id)?.startedAt ?? "")));
    const lowBeforeThat = low.filter((id) => Date.parse(byId.get(id)?.startedAt ?? "") < lastHighStart).length;
    expect(lowBeforeThat).toBeGreaterThanOrEqual(1);
  });
});
