import { describe, expect, it } from "vitest";
import type { TimerQueue, WorkQueue } from "#tasks/domain/ports";
import type { TaskTimer } from "#tasks/domain/task-timers";
import type { WorkMessage } from "#tasks/domain/work-message";
import { resendUnfinishedWork } from "../../../scripts/local/unfinished-tasks";
import { InMemoryTaskQuery, InMemoryTaskStore } from "../../support/in-memory-task-store";
import { aTask } from "../../support/tasks";

const now = new Date("2026-12-01T12:00:00.000Z");

class RecordingQueues implements WorkQueue, TimerQueue {
  readonly sent: { message: WorkMessage; delaySeconds: number }[] = [];
  readonly timers: TaskTimer[] = [];
  constructor(private readonly failSends = false) {}
  async send(message: WorkMessage, options: { delaySeconds?: number } = {}): Promise<void> {
    if (this.failSends) throw new Error("SQS is down");
    this.sent.push({ message, delaySeconds: options.delaySeconds ?? 0 });
  }
  async schedule(timer: TaskTimer): Promise<void> {
    this.timers.push(timer);
  }
}

function portsWith(tasks: ReturnType<typeof aTask>[], queues = new RecordingQueues()) {
  const store = new InMemoryTaskStore();
  for (const task of tasks) store.tasks.set(task.taskId, task);
  return { ports: { query: new InMemoryTaskQuery(store), store, work: queues, timers: queues }, queues };
}

describe("resendUnfinishedWork", () => {
  it("sends each queued task's work message (delayed until its attempt may start) and expiry timer, a running task's lease timer and a timed-out task's recovery timer", async () => {
    const { ports, queues } = portsWith([
      aTask({ taskId: "new", expiresAt: "2026-12-02T12:00:00.000Z" }),
      aTask({ taskId: "retry", attempt: 2, availableAt: "2026-12-01T12:00:30.000Z", priority: "high" }),
      aTask({
        taskId: "busy",
        status: "running",
        agentId: "a",
        startedAt: "2026-12-01T11:59:00.000Z",
        leaseExpiresAt: "2026-12-01T12:00:15.000Z",
      }),
      aTask({ taskId: "late", status: "timed_out", agentId: "a", updatedAt: "2026-12-01T11:59:30.000Z" }),
      aTask({ taskId: "done", status: "completed", agentId: "a", finishedAt: "2026-12-01T11:59:00.000Z", result: {} }),
    ]);
    expect(await resendUnfinishedWork(ports, now)).toEqual({ queued: 2, timers: 2 });
    expect(queues.sent).toEqual(
      expect.arrayContaining([
        { message: { taskId: "new", attempt: 1, agentType: "data-quality", priority: "normal" }, delaySeconds: 0 },
        { message: { taskId: "retry", attempt: 2, agentType: "data-quality", priority: "high" }, delaySeconds: 30 },
      ]),
    );
    expect(queues.sent).toHaveLength(2);
    expect(queues.timers).toEqual(
      expect.arrayContaining([
        { taskId: "new", attempt: 1, check: "expiry", dueAt: "2026-12-02T12:00:00.000Z" },
        { taskId: "busy", attempt: 1, check: "lease", dueAt: "2026-12-01T12:00:15.000Z" },
        { taskId: "late", attempt: 1, check: "recover", dueAt: "2026-12-01T11:59:30.000Z" },
      ]),
    );
  });

  it("reads past the first page of a status", async () => {
    const many = Array.from({ length: 250 }, (_, i) =>
      aTask({ taskId: `t${i}`, createdAt: new Date(now.getTime() - i * 1_000).toISOString() }),
    );
    const { ports, queues } = portsWith(many);
    expect(await resendUnfinishedWork(ports, now)).toEqual({ queued: 250, timers: 0 });
    expect(new Set(queues.sent.map((sent) => sent.message.taskId)).size).toBe(250);
  });

  it("fails, naming how many tasks it could not resend, rather than leaving them stranded without a word", async () => {
    const { ports } = portsWith([aTask({ taskId: "a" }), aTask({ taskId: "b" })], new RecordingQueues(true));
    await expect(resendUnfinishedWork(ports, now)).rejects.toThrow("could not resend the work of 2 queued task(s)");
  });
});
