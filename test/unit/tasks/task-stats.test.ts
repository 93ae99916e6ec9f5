import { describe, expect, it } from "vitest";
import { admit } from "#tasks/domain/admission";
import { countKey, statsDelta, summarizeStats, totalMatching, typeFiguresOf, typeOutcomesOf } from "#tasks/domain/task-stats";
import { QueueFullError } from "#shared/errors";
import { aTask } from "../../support/tasks";

describe("statsDelta", () => {
  it("counts a new task into its status", () => {
    expect(statsDelta(undefined, aTask({ priority: "high" }))?.counters).toEqual({ n_high_queued: 1 });
  });

  it("moves a task between statuses and records its queue time when it starts", () => {
    const started = aTask({ status: "running", queuedAt: "2026-11-23T10:00:00.000Z", startedAt: "2026-11-23T10:00:02.500Z" });
    expect(statsDelta(aTask(), started)?.counters).toEqual({
      n_normal_queued: -1,
      n_normal_running: 1,
      queueTimeSumMs: 2_500,
      queueTimeCount: 1,
    });
  });

  it("records execution time and a completion in its minute", () => {
    const running = aTask({ status: "running", startedAt: "2026-11-23T10:00:00.000Z" });
    const done = {
      ...running,
      status: "completed" as const,
      finishedAt: "2026-11-23T10:00:04.000Z",
      updatedAt: "2026-11-23T10:00:04.000Z",
    };
    expect(statsDelta(running, done)).toEqual({
      change: { taskId: "task-1", version: 1 },
      agentType: "data-quality",
      counters: { n_normal_running: -1, n_normal_completed: 1, executionTimeSumMs: 4_000, executionTimeCount: 1 },
      minute: {
        at: "2026-11-23T10:00",
        counters: { finished: 1, "finished_data-quality": 1, completed: 1, "completed_data-quality": 1 },
      },
    });
  });

  it("counts an unsuccessful finish and a timeout in their minute, per agent type", () => {
    const running = aTask({ status: "running", startedAt: "2026-11-23T10:00:00.000Z" });
    const failed = {
      ...running,
      status: "failed" as const,
      finishedAt: "2026-11-23T10:01:04.000Z",
      updatedAt: "2026-11-23T10:01:04.000Z",
    };
    const timedOut = { ...running, status: "timed_out" as const, updatedAt: "2026-11-23T10:02:00.000Z" };
    expect(statsDelta(running, failed)?.minute).toEqual({
      at: "2026-11-23T10:01",
      counters: { finished: 1, "finished_data-quality": 1, "unsuccessful_data-quality": 1 },
    });
    expect(statsDelta(running, timedOut)?.minute).toEqual({ at: "2026-11-23T10:02", counters: { "timedOut_data-quality": 1 } });
    expect(
      typeOutcomesOf("data-quality", [
        { "finished_data-quality": 3, "unsuccessful_data-quality": 1 },
        { "finished_data-quality": 2, "timedOut_data-quality": 1, finished_other: 9 },
      ]),
    ).toEqual({ finished: 5, unsuccessful: 1, timedOut: 1 });
  });

  it("ignores changes that keep the status (heartbeats)", () => {
    expect(statsDelta(aTask({ status: "running" }), aTask({ status: "running", version: 2 }))).toBeUndefined();
  });
});

describe("summarizeStats", () => {
  it("adds up counts by status, priority and type, with throughput and averages", () => {
    const view = summarizeStats(
      {
        "data-quality": {
          [countKey("high", "completed")]: 3,
          [countKey("low", "queued")]: 2,
          executionTimeSumMs: 600,
          executionTimeCount: 3,
        },
        "keyword-precision": { [countKey("high", "running")]: 1, queueTimeSumMs: 50, queueTimeCount: 2 },
      },
      [{ completed: 6 }, { completed: 4 }],
      new Date("2026-11-23T10:00:00.000Z"),
    );
    expect(view.counts.byStatus).toMatchObject({ completed: 3, queued: 2, running: 1, failed: 0 });
    expect(view.counts.byPriority.high).toMatchObject({ completed: 3, running: 1 });
    expect(view.counts.byAgentType["data-quality"]).toMatchObject({ completed: 3, queued: 2 });
    expect(view).toMatchObject({ tasksScheduled: 6, tasksCompleted: 3, averageExecutionTimeMs: 200, averageQueueTimeMs: 25 });
    expect(view.throughputPerMinute).toEqual({ lastMinute: 6, averageOverMinutes: 5, minutes: 2 });
  });

  it("reports no average rather than a made-up one when nothing ran", () => {
    expect(summarizeStats({}, [], new Date()).averageExecutionTimeMs).toBeNull();
  });
});

describe("typeFiguresOf / admit", () => {
  it("derives queued, running and success rate from a type's counters", () => {
    const load = typeFiguresOf({
      [countKey("low", "queued")]: 4,
      [countKey("high", "queued")]: 1,
      [countKey("normal", "completed")]: 8,
      [countKey("normal", "failed")]: 2,
    });
    expect(load).toMatchObject({ queued: 5, running: 0, successRate: 0.8, avgExecutionMs: undefined });
  });

  it("takes work under the limit and refuses it at the limit, saying when to retry", () => {
    expect(() => admit("data-quality", 9, 10, 60)).not.toThrow();
    const refusal = (() => {
      try {
        admit("data-quality", 12, 10, 60);
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(QueueFullError);
    expect(refusal).toMatchObject({ status: 429, retryAfterSeconds: 3, headers: { "retry-after": "3" } });
    // With no recent completions, come back in a minute.
    expect(() => admit("data-quality", 10, 10, 0)).toThrow(expect.objectContaining({ retryAfterSeconds: 60 }));
  });
});

describe("totalMatching (GET /api/tasks's total)", () => {
  // Counters as the relay leaves them after these tasks' changes, each applied once.
  const tasks = [
    aTask({ agentType: "data-quality", priority: "high" }),
    aTask({ agentType: "data-quality", priority: "low" }),
    aTask({ agentType: "keyword-precision", priority: "high" }),
  ];
  const running = { ...aTask({ agentType: "keyword-precision", priority: "normal" }), status: "running" as const };
  const byType: Record<string, Record<string, number>> = {};
  const apply = (type: string, counters: Record<string, number>) => {
    const row = (byType[type] ??= {});
    for (const [name, n] of Object.entries(counters)) row[name] = (row[name] ?? 0) + n;
  };
  for (const task of tasks) apply(task.agentType, statsDelta(undefined, task)?.counters ?? {});
  const queued = aTask({ agentType: "keyword-precision", priority: "normal" });
  apply(queued.agentType, statsDelta(undefined, queued)?.counters ?? {});
  apply(running.agentType, statsDelta(queued, running)?.counters ?? {});

  it("counts what each filter matches, across types, priorities and statuses", () => {
    expect(totalMatching(byType, {})).toBe(4);
    expect(totalMatching(byType, { status: "queued" })).toBe(3);
    expect(totalMatching(byType, { status: "running" })).toBe(1);
    expect(totalMatching(byType, { agentType: "data-quality" })).toBe(2);
    expect(totalMatching(byType, { priority: "high" })).toBe(2);
    expect(totalMatching(byType, { agentType: "keyword-precision", status: "queued", priority: "high" })).toBe(1);
    expect(totalMatching(byType, { status: "completed" })).toBe(0);
  });

  it("does not count a task that moved on in its old status (the control: moving it changes the totals)", () => {
    const before = totalMatching(byType, { status: "running" });
    const done = { ...running, status: "completed" as const };
    const after = structuredClone(byType);
    const row = (after[running.agentType] ??= {});
    for (const [name, n] of Object.entries(statsDelta(running, done)?.counters ?? {})) row[name] = (row[name] ?? 0) + n;
    expect(totalMatching(after, { status: "running" })).toBe(before - 1);
    expect(totalMatching(after, { status: "completed" })).toBe(1);
    expect(totalMatching(after, {})).toBe(4);
  });
});
