import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FINISHED_STATUSES, TERMINAL_STATUSES, type Task } from "#tasks/domain/task";
import { applyPlan, IllegalTransitionError, planTransition, type TaskEvent } from "#tasks/domain/task-state-machine";
import { aTask, at } from "../../support/tasks";
import { TASK_STATUSES } from "#kernel/task-vocabulary";

const agentId = fc.constantFrom("agent-a", "agent-b");
const attempt = fc.integer({ min: 1, max: 5 });
const error = fc.record({ message: fc.string({ minLength: 1, maxLength: 20 }), retryable: fc.boolean() });
const event: fc.Arbitrary<TaskEvent> = fc.oneof(
  fc.record({ kind: fc.constant("claim" as const), agentId, attempt, leaseSeconds: fc.constant(15) }),
  fc.record({ kind: fc.constant("heartbeat" as const), agentId, attempt, leaseSeconds: fc.constant(15) }),
  fc.record({ kind: fc.constant("complete" as const), agentId, attempt, result: fc.dictionary(fc.string(), fc.integer()) }),
  fc.record({ kind: fc.constant("fail" as const), agentId, attempt, attemptsAllowed: attempt, error }),
  fc.record({ kind: fc.constant("time_out" as const), attempt, reason: fc.constant("stopped sending heartbeats") }),
  fc.record({ kind: fc.constant("recover" as const), attempt, attemptsAllowed: attempt, error }),
  fc.record({ kind: fc.constant("cancel" as const), by: fc.constant("alice") }),
  fc.record({ kind: fc.constant("expire" as const), attempt }),
  fc.record({ kind: fc.constant("dead_letter" as const), attempt, error }),
  fc.record({
    kind: fc.constant("redrive" as const),
    attempt,
    maxRetries: fc.integer({ min: 0, max: 3 }),
    by: fc.constant("operator"),
  }),
);
/** Events arrive at increasing times, as they would. */
const timeline = fc.array(fc.tuple(event, fc.integer({ min: 0, max: 120 }), fc.double({ min: 0, max: 0.999, noNaN: true })), {
  maxLength: 40,
});

/** What must hold of a task whatever happened to it. */
function assertConsistent(task: Task): void {
  expect(TASK_STATUSES).toContain(task.status);
  expect(task.attempt).toBeGreaterThanOrEqual(1);
  expect(task.attempt).toBeLessThanOrEqual(task.attemptsAllowed);
  if (task.status === "running") {
    expect(task.agentId).toBeDefined();
    expect(task.startedAt).toBeDefined();
    expect(task.leaseExpiresAt).toBeDefined();
  }
  if (task.status === "queued") {
    expect(task.agentId).toBeUndefined();
    expect(task.finishedAt).toBeUndefined();
  }
  if (task.status === "completed") expect(task.result).toBeDefined();
  if (["failed", "dead_lettered", "timed_out", "expired"].includes(task.status)) expect(task.error).toBeDefined();
  if (FINISHED_STATUSES.has(task.status)) expect(task.finishedAt).toBeDefined();
}

describe("task state machine (property)", () => {
  it("no sequence of events reaches an inconsistent task or loses it; refused events change nothing", () => {
    fc.assert(
      fc.property(timeline, (steps) => {
        let task = aTask({ attemptsAllowed: 3, maxRetries: 2, expiresAt: "2026-11-24T10:00:00.000Z" });
        let clock = Date.parse("2026-11-23T10:00:00.000Z");
        let applied = 0;
        for (const [e, advance, random] of steps) {
          clock += advance * 1_000;
          const before = task;
          try {
            task = applyPlan(
              task,
              planTransition(
                e,
                at(new Date(clock).toISOString(), () => random),
              ),
            );
            applied++;
            expect(task.attempt).toBeGreaterThanOrEqual(before.attempt);
          } catch (refusal) {
            expect(refusal).toBeInstanceOf(IllegalTransitionError);
            expect(task).toBe(before);
          }
          assertConsistent(task);
        }
        expect(task.version).toBe(1 + applied);
        expect(task.taskId).toBe("task-1");
      }),
    );
  });

  it("a terminal task accepts no event, and a dead-lettered one only a redrive", () => {
    fc.assert(
      fc.property(timeline, (steps) => {
        let task = aTask({ attemptsAllowed: 3 });
        for (const [e] of steps) {
          const from = task.status;
          try {
            task = applyPlan(task, planTransition(e, at()));
            expect(TERMINAL_STATUSES.has(from)).toBe(false);
            if (from === "dead_lettered") expect(e.kind).toBe("redrive");
          } catch {
            // refused
          }
        }
      }),
    );
  });
});
