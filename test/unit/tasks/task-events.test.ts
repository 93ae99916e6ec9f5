import { describe, expect, it } from "vitest";
import { dispatchFor, taskUpdatedEvent } from "#core/tasks/domain/task-events";
import { aTask } from "../../support/tasks";

describe("dispatchFor", () => {
  it("sends a work message when a task is first stored", () => {
    expect(dispatchFor(undefined, aTask())).toEqual({
      taskId: "task-1",
      attempt: 1,
      agentType: "data-quality",
      priority: "normal",
    });
  });

  it("sends nothing for a change that does not enter the queue", () => {
    const queued = aTask();
    const running = aTask({ status: "running", agentId: "a", version: 2 });
    expect(dispatchFor(queued, running)).toBeUndefined();
    expect(dispatchFor(queued, { ...queued, version: 2 })).toBeUndefined();
  });

  it("sends a new message when a task re-enters the queue for another attempt", () => {
    const failed = aTask({ status: "running", agentId: "a" });
    expect(dispatchFor(failed, aTask({ attempt: 2 }))).toMatchObject({ attempt: 2 });
  });
});

describe("taskUpdatedEvent", () => {
  it("announces a new task with no previous status", () => {
    expect(taskUpdatedEvent(undefined, aTask())).toMatchObject({
      source: "tge-swarm.tasks",
      detailType: "TaskUpdated",
      detail: { taskId: "task-1", status: "queued", previousStatus: null },
    });
  });

  it("carries queue and execution time once the task has finished", () => {
    const running = aTask({ status: "running", startedAt: "2026-11-23T09:59:01.500Z" });
    const done = { ...running, status: "completed" as const, finishedAt: "2026-11-23T09:59:04.000Z" };
    expect(taskUpdatedEvent(running, done)?.detail).toMatchObject({
      previousStatus: "running",
      queueTimeMs: 1_500,
      executionTimeMs: 2_500,
    });
  });

  it("leaves out the payload and result", () => {
    const detail = taskUpdatedEvent(undefined, aTask({ result: { big: "x" } }))?.detail ?? {};
    expect(detail).not.toHaveProperty("payload");
    expect(detail).not.toHaveProperty("result");
  });

  it("announces nothing when the status did not change", () => {
    expect(taskUpdatedEvent(aTask(), aTask({ version: 2 }))).toBeUndefined();
  });
});
