import { describe, expect, it } from "vitest";
import { applyPlan, IllegalTransitionError, planTransition } from "#core/tasks/domain/task-state-machine";
import { aTask } from "../../support/tasks";

const now = new Date("2026-11-23T10:00:00.000Z");

describe("task state machine", () => {
  it("claims a queued task for the agent, stamping when it started", () => {
    // GIVEN
    const task = aTask({ status: "queued" });
    // WHEN
    const claimed = applyPlan(task, planTransition({ kind: "claim", agentId: "agent-a", attempt: 1 }, now));
    // THEN
    expect(claimed).toMatchObject({
      status: "running",
      agentId: "agent-a",
      startedAt: now.toISOString(),
      version: task.version + 1,
    });
  });

  it("refuses a second claim of a task that is already running", () => {
    const running = applyPlan(aTask(), planTransition({ kind: "claim", agentId: "agent-a", attempt: 1 }, now));
    expect(() => applyPlan(running, planTransition({ kind: "claim", agentId: "agent-b", attempt: 1 }, now))).toThrow(
      IllegalTransitionError,
    );
  });

  it("refuses a claim for an attempt other than the task's current one", () => {
    const task = aTask({ attempt: 2 });
    expect(() => applyPlan(task, planTransition({ kind: "claim", agentId: "agent-a", attempt: 1 }, now))).toThrow(
      /cannot claim task .*: it is queued \(attempt 2\)/,
    );
  });

  it("completes a running task only for the agent that claimed it", () => {
    const running = applyPlan(aTask(), planTransition({ kind: "claim", agentId: "agent-a", attempt: 1 }, now));
    const late = planTransition({ kind: "complete", agentId: "agent-b", attempt: 1, result: {} }, now);
    expect(() => applyPlan(running, late)).toThrow(IllegalTransitionError);

    const done = applyPlan(
      running,
      planTransition({ kind: "complete", agentId: "agent-a", attempt: 1, result: { ok: true } }, now),
    );
    expect(done).toMatchObject({ status: "completed", result: { ok: true }, finishedAt: now.toISOString() });
  });

  it("records the error when a running task fails", () => {
    const running = applyPlan(aTask(), planTransition({ kind: "claim", agentId: "agent-a", attempt: 1 }, now));
    const error = { message: "boom", retryable: false };
    const failed = applyPlan(running, planTransition({ kind: "fail", agentId: "agent-a", attempt: 1, error }, now));
    expect(failed).toMatchObject({ status: "failed", error });
  });

  it("never lets a finished task change again", () => {
    const running = applyPlan(aTask(), planTransition({ kind: "claim", agentId: "a", attempt: 1 }, now));
    const done = applyPlan(running, planTransition({ kind: "complete", agentId: "a", attempt: 1, result: {} }, now));
    for (const event of [
      { kind: "claim", agentId: "a", attempt: 1 },
      { kind: "complete", agentId: "a", attempt: 1, result: {} },
      { kind: "fail", agentId: "a", attempt: 1, error: { message: "x", retryable: true } },
    ] as const) {
      expect(() => applyPlan(done, planTransition(event, now))).toThrow(IllegalTransitionError);
    }
  });
});
