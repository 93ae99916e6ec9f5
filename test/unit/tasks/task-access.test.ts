import { describe, expect, it } from "vitest";
import type { Caller } from "#shared/identity";
import { ReadableTaskView, taskViewFor } from "#tasks/domain/task-access";
import { taskUpdatedEvent } from "#tasks/domain/task-events";
import { aTask } from "../../support/tasks";

const submitter: Caller = { sub: "user-1", username: "alice", roles: ["operator"] };
const viewer: Caller = { sub: "user-9", username: "vera", roles: ["viewer"] };
const operator: Caller = { sub: "user-2", username: "bob", roles: ["operator"] };
const admin: Caller = { sub: "user-3", username: "root", roles: ["admin"] };

describe("what a reader sees of a task", () => {
  const done = aTask({
    status: "completed",
    payload: { secret: "the feed's answer" },
    result: { found: 1 },
    finishedAt: "2026-11-23T10:00:00.000Z",
    agentId: "a",
  });

  it("withholds the payload and result from a viewer who did not submit it, saying so", () => {
    const view = taskViewFor(viewer, done);
    expect(view).not.toHaveProperty("payload");
    expect(view).not.toHaveProperty("result");
    expect(view.withheld).toEqual(["payload", "result"]);
    expect(ReadableTaskView.parse(view)).toEqual(view);
    expect(view).toMatchObject({ taskId: done.taskId, status: "completed", submittedBy: "user-1" });
  });

  it("shows them to the submitter, to operators and to admins (the control: the same task, whole)", () => {
    for (const caller of [submitter, operator, admin]) {
      const view = taskViewFor(caller, done);
      expect(view).toMatchObject({ payload: { secret: "the feed's answer" }, result: { found: 1 } });
      expect(view.withheld).toBeUndefined();
    }
    // A viewer who submitted it (a role taken away later) still sees their own task.
    expect(taskViewFor({ ...viewer, sub: "user-1" }, done).withheld).toBeUndefined();
  });
});

describe("the actor in a task's event", () => {
  it("names the canceller of a cancel and the redriver of a redrive, and no one for the agent's own changes", () => {
    const queued = aTask({ version: 1 });
    const cancelled = { ...queued, version: 2, status: "cancelled" as const, cancelledBy: "alice" };
    expect(taskUpdatedEvent(queued, cancelled)?.detail.actor).toBe("alice");

    const dead = { ...queued, version: 3, status: "dead_lettered" as const, redrivenBy: "root" };
    const redriven = { ...dead, version: 4, status: "queued" as const, attempt: 2 };
    expect(taskUpdatedEvent(dead, redriven)?.detail.actor).toBe("root");

    // A later change keeps the record but names no actor: the agent claimed it.
    const running = { ...redriven, version: 5, status: "running" as const, agentId: "a" };
    expect(taskUpdatedEvent(redriven, running)?.detail.actor).toBeUndefined();
  });
});
