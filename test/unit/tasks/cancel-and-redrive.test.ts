import { describe, expect, it } from "vitest";
import { ForbiddenError, NotFoundError } from "#shared/errors";
import type { Caller } from "#shared/identity";
import { cancelTask, cancelTasks, TaskNotCancellableError } from "#tasks/domain/cancel-tasks";
import { queueView } from "#tasks/domain/queue-view";
import { redriveTasks } from "#tasks/domain/redrive-tasks";
import { type Task, taskEtag } from "#tasks/domain/task";
import { PreconditionFailedError } from "#shared/conditional-requests";
import { InMemoryTaskQuery, InMemoryTaskStore } from "../../support/in-memory-task-store";
import { aTask, POLICY } from "../../support/tasks";

/** An operator who submitted the tasks `aTask` makes (their `submittedBy` is this `sub`). */
const caller: Caller = { sub: "user-1", username: "alice", roles: ["operator"] };
const operator = caller;
const otherOperator: Caller = { sub: "user-2", username: "bob", roles: ["operator"] };
const admin: Caller = { sub: "user-3", username: "root", roles: ["admin"] };
const clock = { now: () => new Date("2026-11-23T10:00:00.000Z") };

function storeWith(...tasks: Task[]) {
  const store = new InMemoryTaskStore();
  for (const task of tasks) store.tasks.set(task.taskId, task);
  return { store, query: new InMemoryTaskQuery(store), clock, policy: POLICY };
}

describe("cancelTask", () => {
  it("cancels a queued or running task, recording who and why", async () => {
    const deps = storeWith(
      aTask({ taskId: "q" }),
      aTask({ taskId: "r", status: "running", agentId: "a", startedAt: "2026-11-23T09:59:00.000Z", leaseExpiresAt: "x" }),
    );
    expect(await cancelTask("q", caller, "duplicate", deps)).toMatchObject({
      status: "cancelled",
      cancelledBy: "alice",
      cancelReason: "duplicate",
    });
    expect(await cancelTask("r", caller, undefined, deps)).toMatchObject({ status: "cancelled" });
  });

  it("with If-Match, cancels only the version the client saw: 412 once the task changed, and never in between", async () => {
    const deps = storeWith(aTask({ taskId: "q", version: 3 }));
    await expect(cancelTask("q", caller, undefined, deps, taskEtag({ taskId: "q", version: 2 }))).rejects.toMatchObject({
      status: 412,
      code: "PreconditionFailed",
    });
    expect(deps.store.tasks.get("q")?.status).toBe("queued");
    await expect(cancelTask("q", caller, undefined, deps, taskEtag({ taskId: "other", version: 3 }))).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    expect(await cancelTask("q", caller, undefined, deps, taskEtag({ taskId: "q", version: 3 }))).toMatchObject({
      status: "cancelled",
      version: 4,
    });
    // The stale tag of a task that is now finished still says it changed (412), not that it cannot be cancelled.
    await expect(cancelTask("q", caller, undefined, deps, taskEtag({ taskId: "q", version: 3 }))).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    await expect(cancelTask("q", caller, undefined, deps, "*")).rejects.toBeInstanceOf(TaskNotCancellableError);
  });

  it("answers 409 for a finished task and 404 for a missing one", async () => {
    const deps = storeWith(
      aTask({ taskId: "done", status: "completed", finishedAt: "2026-11-23T09:59:00.000Z", agentId: "a", result: {} }),
    );
    await expect(cancelTask("done", caller, undefined, deps)).rejects.toBeInstanceOf(TaskNotCancellableError);
    await expect(cancelTask("nope", caller, undefined, deps)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("cancelTasks", () => {
  it("cancels every queued and running task matching the filter, and nothing else", async () => {
    const deps = storeWith(
      aTask({ taskId: "a", agentType: "data-quality" }),
      aTask({ taskId: "b", agentType: "data-quality", priority: "low" }),
      aTask({ taskId: "c", agentType: "keyword-precision" }),
      aTask({ taskId: "d", agentType: "data-quality", status: "completed", finishedAt: "x", result: {}, agentId: "a" }),
    );
    const { results, more } = await cancelTasks({ filter: { agentType: "data-quality" }, limit: 100 }, admin, deps);
    expect(results.map((r) => r.taskId).sort()).toEqual(["a", "b"]);
    expect(more).toBe(false);
    expect((await deps.store.get("c"))?.status).toBe("queued");
    expect((await deps.store.get("d"))?.status).toBe("completed");
  });

  it("stops at the limit and says more remain", async () => {
    const deps = storeWith(...["a", "b", "c"].map((taskId) => aTask({ taskId })));
    const { results, more } = await cancelTasks({ filter: { status: "queued" }, limit: 2 }, admin, deps);
    expect(results).toHaveLength(2);
    expect(more).toBe(true);
  });

  it("reports each listed id's outcome", async () => {
    const deps = storeWith(
      aTask({ taskId: "a" }),
      aTask({ taskId: "f", status: "failed", finishedAt: "x", error: { message: "e", retryable: false }, agentId: "a" }),
    );
    const { results } = await cancelTasks({ taskIds: ["a", "f", "ghost"], limit: 100 }, caller, deps);
    expect(results).toEqual([
      { taskId: "a", outcome: "cancelled", status: "cancelled" },
      { taskId: "f", outcome: "not_cancellable" },
      { taskId: "ghost", outcome: "not_found" },
    ]);
  });
});

describe("who may cancel and redrive a task", () => {
  it("refuses another operator's cancel of a task they did not submit, leaving it queued; its submitter and an admin may", async () => {
    const deps = storeWith(aTask({ taskId: "mine" }), aTask({ taskId: "also-mine" }));
    await expect(cancelTask("mine", otherOperator, undefined, deps)).rejects.toBeInstanceOf(ForbiddenError);
    expect((await deps.store.get("mine"))?.status).toBe("queued");
    // The controls: the same call by the submitter and by an admin succeeds.
    expect(await cancelTask("mine", operator, undefined, deps)).toMatchObject({ status: "cancelled", cancelledBy: "alice" });
    expect(await cancelTask("also-mine", admin, undefined, deps)).toMatchObject({ status: "cancelled", cancelledBy: "root" });
  });

  it("keeps cancelling by filter for admins, before a task is read; by id, others' tasks answer forbidden", async () => {
    const deps = storeWith(aTask({ taskId: "a" }), aTask({ taskId: "b", submittedBy: "user-2" }));
    await expect(cancelTasks({ filter: { status: "queued" }, limit: 100 }, operator, deps)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect([...deps.store.tasks.values()].map((t) => t.status)).toEqual(["queued", "queued"]);
    const { results } = await cancelTasks({ taskIds: ["a", "b"], limit: 100 }, operator, deps);
    expect(results).toEqual([
      { taskId: "a", outcome: "cancelled", status: "cancelled" },
      { taskId: "b", outcome: "forbidden" },
    ]);
    expect((await deps.store.get("b"))?.status).toBe("queued");
  });

  it("redrives only the submitter's dead letters for an operator, anyone's for an admin, recording who", async () => {
    const dead = (taskId: string) =>
      aTask({
        taskId,
        status: "dead_lettered",
        attempt: 1,
        attemptsAllowed: 1,
        finishedAt: "x",
        error: { message: "e", retryable: true },
      });
    const deps = storeWith(dead("d1"), dead("d2"));
    expect(await redriveTasks(["d1"], otherOperator, deps)).toEqual([{ taskId: "d1", outcome: "forbidden" }]);
    expect((await deps.store.get("d1"))?.status).toBe("dead_lettered");
    expect(await redriveTasks(["d1"], admin, deps)).toEqual([{ taskId: "d1", outcome: "redriven", attempt: 2 }]);
    expect(await deps.store.get("d1")).toMatchObject({ status: "queued", redrivenBy: "root" });
  });
});

describe("redriveTasks", () => {
  it("re-queues dead-lettered tasks and reports the rest", async () => {
    const deps = storeWith(
      aTask({
        taskId: "dead",
        status: "dead_lettered",
        attempt: 4,
        attemptsAllowed: 4,
        finishedAt: "x",
        error: { message: "e", retryable: true },
      }),
      aTask({ taskId: "live" }),
    );
    expect(await redriveTasks(["dead", "live", "ghost"], operator, deps)).toEqual([
      { taskId: "dead", outcome: "redriven", attempt: 5 },
      { taskId: "live", outcome: "not_dead_lettered" },
      { taskId: "ghost", outcome: "not_found" },
    ]);
    expect(await deps.store.get("dead")).toMatchObject({
      status: "queued",
      attempt: 5,
      attemptsAllowed: 8,
      redrivenBy: operator.username,
    });
  });
});

describe("queueView", () => {
  it("reports every queue with its depth and the age of its oldest queued task", async () => {
    const deps = storeWith(aTask({ taskId: "old", queuedAt: "2026-11-23T09:58:00.000Z", priority: "high" }));
    const rows = await queueView({
      query: deps.query,
      inspector: { depth: async () => ({ visible: 1, inFlight: 0, delayed: 0, deadLetters: 2 }) },
      now: clock.now(),
    });
    expect(rows).toHaveLength(20);
    expect(rows.find((r) => r.agentType === "data-quality" && r.priority === "high")).toEqual({
      agentType: "data-quality",
      priority: "high",
      visible: 1,
      inFlight: 0,
      delayed: 0,
      deadLetters: 2,
      oldestAgeSeconds: 120,
    });
    expect(rows.find((r) => r.agentType === "data-quality" && r.priority === "low")?.oldestAgeSeconds).toBeNull();
  });
});
