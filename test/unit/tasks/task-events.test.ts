import { describe, expect, it } from "vitest";
import { dispatchFor, systemAlertFor, taskUpdatedEvent } from "#tasks/domain/task-events";
import { aTask } from "../../support/tasks";

const NOW = new Date("2026-11-23T10:00:00.000Z");

describe("dispatchFor", () => {
  it("sends a work message when a task is first stored", () => {
    expect(dispatchFor(undefined, aTask(), NOW)).toEqual({
      message: { taskId: "task-1", attempt: 1, agentType: "data-quality", priority: "normal" },
      delaySeconds: 0,
    });
  });

  it("sends nothing for a change that does not enter the queue", () => {
    const queued = aTask();
    const running = aTask({ status: "running", agentId: "a", version: 2 });
    expect(dispatchFor(queued, running, NOW)).toBeUndefined();
    expect(dispatchFor(queued, { ...queued, version: 2 }, NOW)).toBeUndefined();
  });

  it("sends a retry delayed until it may start, at most 15 minutes", () => {
    const running = aTask({ status: "running", agentId: "a" });
    expect(dispatchFor(running, aTask({ attempt: 2, availableAt: "2026-11-23T10:00:07.200Z" }), NOW)).toMatchObject({
      message: { attempt: 2 },
      delaySeconds: 8,
    });
    expect(dispatchFor(running, aTask({ attempt: 2, availableAt: "2026-11-23T12:00:00.000Z" }), NOW)?.delaySeconds).toBe(900);
  });
});

describe("systemAlertFor", () => {
  it("raises a warning when a task is dead-lettered, once", () => {
    const dead = aTask({ status: "dead_lettered", error: { message: "boom", retryable: true } });
    expect(systemAlertFor(aTask({ status: "running" }), dead)).toMatchObject({
      detailType: "SystemAlert",
      detail: { severity: "warning", source: "tasks", resource: { taskId: "task-1" }, message: expect.stringContaining("boom") },
    });
    expect(systemAlertFor(dead, { ...dead, version: 3 })).toBeUndefined();
    expect(systemAlertFor(undefined, aTask())).toBeUndefined();
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
