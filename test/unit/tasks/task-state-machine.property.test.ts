import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TASK_STATUSES, TERMINAL_STATUSES, type Task } from "#core/tasks/domain/task";
import { applyPlan, IllegalTransitionError, planTransition, type TaskEvent } from "#core/tasks/domain/task-state-machine";
import { aTask } from "../../support/tasks";

const agentIds = fc.constantFrom("agent-a", "agent-b");
const attempts = fc.constantFrom(1, 2);
const event: fc.Arbitrary<TaskEvent> = fc.oneof(
  fc.record({ kind: fc.constant("claim" as const), agentId: agentIds, attempt: attempts }),
  fc.record({
    kind: fc.constant("complete" as const),
    agentId: agentIds,
    attempt: attempts,
    result: fc.dictionary(fc.string(), fc.integer()),
  }),
  fc.record({
    kind: fc.constant("fail" as const),
    agentId: agentIds,
    attempt: attempts,
    error: fc.record({ message: fc.string({ minLength: 1 }), retryable: fc.boolean() }),
  }),
);

/** What must hold of a task whatever happened to it. */
function assertConsistent(task: Task): void {
  expect(TASK_STATUSES).toContain(task.status);
  if (task.status !== "queued") expect(task.agentId).toBeDefined();
  if (task.status === "running") expect(task.startedAt).toBeDefined();
  if (task.status === "completed") expect(task.result).toBeDefined();
  if (task.status === "failed") expect(task.error).toBeDefined();
  if (TERMINAL_STATUSES.has(task.status)) expect(task.finishedAt).toBeDefined();
}

describe("task state machine (property)", () => {
  it("no sequence of events reaches an inconsistent task, and refused events change nothing", () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), (events) => {
        let task = aTask();
        let applied = 0;
        for (const e of events) {
          const before = task;
          try {
            task = applyPlan(task, planTransition(e, new Date("2026-11-23T10:00:00.000Z")));
            applied++;
          } catch (error) {
            expect(error).toBeInstanceOf(IllegalTransitionError);
            expect(task).toBe(before);
          }
          assertConsistent(task);
        }
        // Every accepted event is one write: nothing is lost or applied twice.
        expect(task.version).toBe(1 + applied);
        // A task is never lost: it is still the same task.
        expect(task.taskId).toBe("task-1");
      }),
    );
  });

  it("a finished task accepts no further event", () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), (events) => {
        let task = aTask();
        for (const e of events) {
          const wasTerminal = TERMINAL_STATUSES.has(task.status);
          try {
            task = applyPlan(task, planTransition(e, new Date()));
            expect(wasTerminal).toBe(false);
          } catch {
            // refused
          }
        }
      }),
    );
  });
});
