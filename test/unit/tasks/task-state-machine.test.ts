import { describe, expect, it } from "vitest";
import type { Task } from "#tasks/domain/task";
import {
  applyPlan,
  IllegalTransitionError,
  planTransition,
  retryDelaySeconds,
  type TaskEvent,
} from "#tasks/domain/task-state-machine";
import { aTask, at, POLICY } from "../../support/tasks";

const NOW = "2026-11-23T10:00:00.000Z";
const apply = (task: Task, event: TaskEvent, when = at(NOW)) => applyPlan(task, planTransition(event, when));
const claimed = (overrides: Partial<Task> = {}) =>
  apply(aTask(overrides), { kind: "claim", agentId: "agent-a", attempt: overrides.attempt ?? 1, leaseSeconds: 15 });
const failure = (retryable: boolean) => ({ message: "boom", retryable });

describe("claim", () => {
  it("takes a queued task for the agent, with a lease", () => {
    expect(claimed()).toMatchObject({
      status: "running",
      agentId: "agent-a",
      startedAt: NOW,
      heartbeatAt: NOW,
      leaseExpiresAt: "2026-11-23T10:00:15.000Z",
      version: 2,
    });
  });

  it("refuses a second claim, a claim for another attempt, and a claim of an expired task", () => {
    expect(() => apply(claimed(), { kind: "claim", agentId: "agent-b", attempt: 1, leaseSeconds: 15 })).toThrow(
      IllegalTransitionError,
    );
    expect(() => apply(aTask({ attempt: 2 }), { kind: "claim", agentId: "a", attempt: 1, leaseSeconds: 15 })).toThrow(
      /it is queued \(attempt 2\)/,
    );
    expect(() =>
      apply(aTask({ expiresAt: "2026-11-23T09:59:59.000Z" }), { kind: "claim", agentId: "a", attempt: 1, leaseSeconds: 15 }),
    ).toThrow(IllegalTransitionError);
  });
});

describe("heartbeat", () => {
  it("renews the lease of the agent's own attempt only", () => {
    const running = claimed();
    const renewed = apply(
      running,
      { kind: "heartbeat", agentId: "agent-a", attempt: 1, leaseSeconds: 15 },
      at("2026-11-23T10:00:10.000Z"),
    );
    expect(renewed.leaseExpiresAt).toBe("2026-11-23T10:00:25.000Z");
    expect(() => apply(running, { kind: "heartbeat", agentId: "agent-b", attempt: 1, leaseSeconds: 15 })).toThrow(
      IllegalTransitionError,
    );
  });
});

describe("complete and fail", () => {
  it("completes for the agent that claimed it, refusing a late result from another", () => {
    const running = claimed();
    expect(() => apply(running, { kind: "complete", agentId: "agent-b", attempt: 1, result: {} })).toThrow(
      IllegalTransitionError,
    );
    expect(apply(running, { kind: "complete", agentId: "agent-a", attempt: 1, result: { ok: true } })).toMatchObject({
      status: "completed",
      result: { ok: true },
      finishedAt: NOW,
    });
  });

  it("fails at once on an error that is not retryable", () => {
    const failed = apply(claimed(), { kind: "fail", agentId: "agent-a", attempt: 1, attemptsAllowed: 4, error: failure(false) });
    expect(failed).toMatchObject({ status: "failed", error: failure(false), finishedAt: NOW });
  });

  it("re-queues a retryable failure as the next attempt, after a backoff", () => {
    const retried = apply(claimed(), { kind: "fail", agentId: "agent-a", attempt: 1, attemptsAllowed: 4, error: failure(true) });
    expect(retried).toMatchObject({
      status: "queued",
      attempt: 2,
      queuedAt: NOW,
      availableAt: "2026-11-23T10:00:01.000Z",
      error: failure(true),
    });
    expect(retried.agentId).toBeUndefined();
    expect(retried.startedAt).toBeUndefined();
  });

  it("dead-letters a retryable failure of the last allowed attempt", () => {
    const last = claimed({ attempt: 4, attemptsAllowed: 4 });
    expect(apply(last, { kind: "fail", agentId: "agent-a", attempt: 4, attemptsAllowed: 4, error: failure(true) })).toMatchObject(
      {
        status: "dead_lettered",
        error: failure(true),
      },
    );
  });
});

describe("timeouts", () => {
  it("times out a running attempt, then retries it", () => {
    const timedOut = apply(claimed(), { kind: "time_out", attempt: 1, reason: "stopped sending heartbeats" });
    expect(timedOut).toMatchObject({ status: "timed_out", timedOutAt: NOW, error: { code: "TaskTimedOut", retryable: true } });
    expect(timedOut.leaseExpiresAt).toBeUndefined();
    const recovered = apply(timedOut, {
      kind: "recover",
      attempt: 1,
      attemptsAllowed: 4,
      error: timedOut.error ?? failure(true),
    });
    expect(recovered).toMatchObject({ status: "queued", attempt: 2 });
  });

  it("refuses a result from the agent whose attempt timed out", () => {
    const timedOut = apply(claimed(), { kind: "time_out", attempt: 1, reason: "stopped sending heartbeats" });
    expect(() => apply(timedOut, { kind: "complete", agentId: "agent-a", attempt: 1, result: {} })).toThrow(
      IllegalTransitionError,
    );
  });
});

describe("cancel, expire, dead-letter, redrive", () => {
  it("cancels queued and running tasks, never finished ones", () => {
    expect(apply(aTask(), { kind: "cancel", by: "alice", reason: "not needed" })).toMatchObject({
      status: "cancelled",
      cancelledBy: "alice",
      cancelReason: "not needed",
    });
    expect(apply(claimed(), { kind: "cancel", by: "alice" })).toMatchObject({ status: "cancelled" });
    const done = apply(claimed(), { kind: "complete", agentId: "agent-a", attempt: 1, result: {} });
    expect(() => apply(done, { kind: "cancel", by: "alice" })).toThrow(IllegalTransitionError);
  });

  it("expires a queued attempt", () => {
    expect(apply(aTask(), { kind: "expire", attempt: 1 })).toMatchObject({
      status: "expired",
      error: { code: "TaskExpired", retryable: false },
    });
  });

  it("redrives a dead-lettered task as a new attempt with a fresh budget of retries", () => {
    const dead = apply(aTask(), { kind: "dead_letter", attempt: 1, error: failure(false) });
    const redriven = apply(dead, { kind: "redrive", attempt: 1, maxRetries: 3, by: "admin" });
    expect(redriven).toMatchObject({ status: "queued", attempt: 2, attemptsAllowed: 5, availableAt: NOW });
    expect(redriven.finishedAt).toBeUndefined();
  });
});

describe("retryDelaySeconds", () => {
  it("is full jitter under a doubling, capped ceiling", () => {
    const top = () => 0.999_999;
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelaySeconds(n, POLICY, top))).toEqual([1, 3, 7, 15, 31, 59]);
    expect(retryDelaySeconds(10, POLICY, top)).toBe(59);
    expect(retryDelaySeconds(3, POLICY, () => 0)).toBe(0);
  });
});
