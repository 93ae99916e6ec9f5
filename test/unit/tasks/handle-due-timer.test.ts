import { describe, expect, it } from "vitest";
import { handleDueTimer, type TimerPorts } from "#tasks/domain/handle-due-timer";
import type { TaskStore } from "#tasks/domain/ports";
import type { Task } from "#tasks/domain/task";
import type { TaskTimer } from "#tasks/domain/task-timers";
import { RecordingTimerQueue } from "../../support/in-memory-queues";
import { InMemoryTaskStore } from "../../support/in-memory-task-store";
import { aTask, POLICY } from "../../support/tasks";

const NOW = new Date("2026-11-23T10:05:00.000Z");
const iso = (secondsFromNow: number) => new Date(NOW.getTime() + secondsFromNow * 1_000).toISOString();

const running = (overrides: Partial<Task> = {}) =>
  aTask({
    status: "running",
    agentId: "agent-1",
    startedAt: iso(-60),
    heartbeatAt: iso(-20),
    leaseExpiresAt: iso(-5),
    timeoutSeconds: 600,
    version: 2,
    ...overrides,
  });
const leaseTimer = (dueAt = iso(0)): TaskTimer => ({ taskId: "task-1", attempt: 1, check: "lease", dueAt });

function setUp(tasks: Task[] = [], store?: TaskStore) {
  const memory = new InMemoryTaskStore();
  for (const task of tasks) memory.tasks.set(task.taskId, task);
  const timers = new RecordingTimerQueue();
  const ports: TimerPorts = { store: store ?? memory, timers, policy: POLICY, leaseGraceSeconds: 15 };
  return { memory, timers, ports };
}

describe("handleDueTimer", () => {
  it("sends on a timer that arrived early (its check is beyond SQS's delay), touching nothing", async () => {
    const { memory, timers, ports } = setUp([running()]);

    const handled = await handleDueTimer(leaseTimer(iso(1_200)), ports, NOW);

    expect(handled).toEqual({ kind: "sent_on", dueAt: iso(1_200) });
    expect(timers.scheduled).toEqual([{ timer: leaseTimer(iso(1_200)), at: NOW.toISOString() }]);
    expect(memory.writes).toEqual([]);
  });

  it("checks a timer up to a second early (SQS delays in whole seconds)", async () => {
    const { memory, ports } = setUp([running()]);

    const handled = await handleDueTimer(leaseTimer(new Date(NOW.getTime() + 1_000).toISOString()), ports, NOW);

    expect(handled).toMatchObject({ kind: "acted", event: "time_out" });
    expect(memory.writes).toEqual([{ taskId: "task-1", kind: "time_out" }]);
  });

  it("times out an attempt whose lease lapsed", async () => {
    const { memory, timers, ports } = setUp([running()]);

    const handled = await handleDueTimer(leaseTimer(), ports, NOW);

    expect(handled).toEqual({ kind: "acted", event: "time_out", status: "timed_out", attempt: 1 });
    expect(memory.tasks.get("task-1")).toMatchObject({ status: "timed_out", error: { code: "TaskTimedOut" } });
    expect(timers.scheduled).toEqual([]);
  });

  it("reschedules a lease that was renewed meanwhile for when it now runs out, writing nothing", async () => {
    const { memory, timers, ports } = setUp([running({ leaseExpiresAt: iso(10) })]);

    const handled = await handleDueTimer(leaseTimer(), ports, NOW);

    expect(handled).toEqual({ kind: "sent_on", dueAt: iso(10) });
    expect(timers.scheduled.map((s) => s.timer)).toEqual([leaseTimer(iso(10))]);
    expect(memory.writes).toEqual([]);
  });

  it("does nothing for a moot timer: a task on another attempt, a finished task, or none", async () => {
    const { memory, timers, ports } = setUp([running({ attempt: 2 }), running({ taskId: "done", status: "completed" })]);

    const outcomes = [
      await handleDueTimer(leaseTimer(), ports, NOW),
      await handleDueTimer({ ...leaseTimer(), taskId: "done" }, ports, NOW),
      await handleDueTimer({ ...leaseTimer(), taskId: "gone" }, ports, NOW),
    ];

    expect(outcomes).toEqual([
      { kind: "moot", why: "the task is on attempt 2" },
      { kind: "moot", why: "the task is completed" },
      { kind: "moot", why: "the task does not exist" },
    ]);
    expect(memory.writes).toEqual([]);
    expect(timers.scheduled).toEqual([]);
  });

  it("leaves a task that moved on between the read and the write as it is", async () => {
    // The agent completed the task after the checker read it as running with a lapsed lease.
    const memory = new InMemoryTaskStore();
    memory.tasks.set("task-1", running({ status: "completed", finishedAt: iso(-1), version: 3 }));
    const stale: TaskStore = {
      create: (t) => memory.create(t),
      get: async () => running(),
      apply: (id, p) => memory.apply(id, p),
    };
    const { ports } = setUp([], stale);

    const handled = await handleDueTimer(leaseTimer(), ports, NOW);

    expect(handled).toMatchObject({ kind: "moot", why: expect.stringMatching(/^the task moved on meanwhile: cannot time_out/) });
    expect(memory.tasks.get("task-1")).toMatchObject({ status: "completed", version: 3 });
  });

  it("retries a timed-out attempt, and dead-letters one with no attempts left", async () => {
    const timedOut = running({ status: "timed_out", updatedAt: iso(-1), leaseExpiresAt: undefined });
    const { memory, ports } = setUp([timedOut, { ...timedOut, taskId: "last", attempt: 4, attemptsAllowed: 4 }]);
    const recover = (taskId: string, attempt: number): TaskTimer => ({ taskId, attempt, check: "recover", dueAt: iso(-1) });

    expect(await handleDueTimer(recover("task-1", 1), ports, NOW)).toEqual({
      kind: "acted",
      event: "recover",
      status: "queued",
      attempt: 2,
    });
    expect(await handleDueTimer(recover("last", 4), ports, NOW)).toMatchObject({ status: "dead_lettered", attempt: 4 });
    expect(memory.writes.map((w) => w.kind)).toEqual(["recover", "recover"]);
  });

  it("expires a queued task past its expiry, and checks a later expiry again then", async () => {
    const { memory, timers, ports } = setUp([aTask({ expiresAt: iso(-1) }), aTask({ taskId: "later", expiresAt: iso(30) })]);
    const expiry = (taskId: string): TaskTimer => ({ taskId, attempt: 1, check: "expiry", dueAt: iso(0) });

    expect(await handleDueTimer(expiry("task-1"), ports, NOW)).toMatchObject({ kind: "acted", status: "expired" });
    expect(await handleDueTimer(expiry("later"), ports, NOW)).toEqual({ kind: "sent_on", dueAt: iso(30) });
    expect(memory.writes).toEqual([{ taskId: "task-1", kind: "expire" }]);
    expect(timers.scheduled.map((s) => s.timer.taskId)).toEqual(["later"]);
  });

  it("fails, so the message is retried, when the store cannot be reached", async () => {
    const down: TaskStore = {
      create: async () => false,
      get: async () => {
        throw new Error("DynamoDB is unreachable");
      },
      apply: async () => {
        throw new Error("unreachable");
      },
    };
    const { ports } = setUp([], down);

    await expect(handleDueTimer(leaseTimer(), ports, NOW)).rejects.toThrow("DynamoDB is unreachable");
  });
});
