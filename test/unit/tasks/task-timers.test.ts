import { describe, expect, it } from "vitest";
import { checkTimer, type TaskTimer, timersFor } from "#tasks/domain/task-timers";
import { aTask } from "../../support/tasks";

const NOW = new Date("2026-11-23T10:05:00.000Z");
const running = aTask({
  status: "running",
  agentId: "a",
  startedAt: "2026-11-23T10:00:00.000Z",
  leaseExpiresAt: "2026-11-23T10:05:30.000Z",
  timeoutSeconds: 600,
});
const lease: TaskTimer = { taskId: "task-1", attempt: 1, check: "lease", dueAt: "2026-11-23T10:05:00.000Z" };

describe("timersFor", () => {
  it("watches a new queued attempt's expiry, a running attempt's lease, and recovers a timed-out one", () => {
    expect(timersFor(undefined, aTask({ expiresAt: "2026-11-23T11:00:00.000Z" }))).toEqual([
      { taskId: "task-1", attempt: 1, check: "expiry", dueAt: "2026-11-23T11:00:00.000Z" },
    ]);
    expect(timersFor(aTask(), running)).toEqual([{ ...lease, dueAt: running.leaseExpiresAt }]);
    expect(timersFor(running, { ...running, status: "timed_out", updatedAt: NOW.toISOString() })).toEqual([
      { taskId: "task-1", attempt: 1, check: "recover", dueAt: NOW.toISOString() },
    ]);
  });

  it("sets no timer for a heartbeat (same status, same attempt)", () => {
    expect(timersFor(running, { ...running, leaseExpiresAt: "2026-11-23T10:06:00.000Z" })).toEqual([]);
  });
});

describe("checkTimer", () => {
  it("checks a renewed lease again when it is due", () => {
    expect(checkTimer(running, lease, NOW, 15)).toEqual({ kind: "later", timer: { ...lease, dueAt: running.leaseExpiresAt } });
  });

  it("times out an attempt whose lease lapsed (its agent stopped heartbeating)", () => {
    expect(checkTimer({ ...running, leaseExpiresAt: "2026-11-23T10:04:59.000Z" }, lease, NOW, 15)).toEqual({
      kind: "transition",
      event: { kind: "time_out", attempt: 1, reason: "stopped sending heartbeats" },
    });
  });

  it("times out an attempt that heartbeats but runs far past its timeout", () => {
    expect(checkTimer({ ...running, timeoutSeconds: 60 }, lease, NOW, 15)).toMatchObject({
      kind: "transition",
      event: { kind: "time_out", reason: "ran past its timeout of 60s" },
    });
  });

  it("recovers a timed-out attempt with its own budget", () => {
    const timedOut = {
      ...running,
      status: "timed_out" as const,
      attemptsAllowed: 2,
      error: { message: "late", code: "TaskTimedOut", retryable: true },
    };
    expect(checkTimer(timedOut, { ...lease, check: "recover" }, NOW, 15)).toEqual({
      kind: "transition",
      event: { kind: "recover", attempt: 1, attemptsAllowed: 2, error: timedOut.error },
    });
  });

  it("expires a queued attempt past its expiry, and waits for one not yet due", () => {
    const expiry: TaskTimer = { taskId: "task-1", attempt: 1, check: "expiry", dueAt: NOW.toISOString() };
    expect(checkTimer(aTask({ expiresAt: "2026-11-23T10:04:00.000Z" }), expiry, NOW, 15)).toMatchObject({
      kind: "transition",
      event: { kind: "expire" },
    });
    expect(checkTimer(aTask({ expiresAt: "2026-11-23T12:00:00.000Z" }), expiry, NOW, 15)).toMatchObject({
      kind: "later",
      timer: { dueAt: "2026-11-23T12:00:00.000Z" },
    });
  });

  it("does nothing when the task moved on: another attempt, another status, or gone", () => {
    expect(checkTimer({ ...running, attempt: 2 }, lease, NOW, 15).kind).toBe("nothing");
    expect(checkTimer({ ...running, status: "completed" }, lease, NOW, 15).kind).toBe("nothing");
    expect(checkTimer(undefined, lease, NOW, 15).kind).toBe("nothing");
  });
});
