import { Logger } from "@aws-lambda-powertools/logger";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { NonRetryableTaskError, type TaskHandler } from "../../../containers/agent/src/runtime/task-handler";
import { AgentRuntime, type AgentRuntimeOptions } from "../../../containers/agent/src/runtime/agent-runtime";
import type { TaskStore } from "#tasks/domain/ports";
import { planTransition } from "#tasks/domain/task-state-machine";
import { InMemoryTaskStore } from "../../support/in-memory-task-store";
import { InMemoryWorkSource } from "../../support/in-memory-work-source";
import { aTask, POLICY } from "../../support/tasks";
import type { JsonObject } from "#kernel/json";

const logger = new Logger({ logLevel: "SILENT" });
/** The test's clock: every timer of the runtime (heartbeats, timeouts, long polls, grace) runs on it. */
const T0 = new Date("2026-11-23T10:00:00.000Z");
beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});
const options: AgentRuntimeOptions = {
  agentId: "agent-a",
  agentType: "data-quality",
  maxConcurrentTasks: 2,
  heartbeatIntervalMs: 10,
  leaseSeconds: 30,
  maxReceiveCount: 3,
  retryPolicy: POLICY,
  visibilityTimeoutSeconds: 60,
  longPollSeconds: 1,
  maxResultBytes: 1_024,
};

function setup(handlers: Record<string, TaskHandler>, taskOverrides: Parameters<typeof aTask>[0] = {}) {
  const store = new InMemoryTaskStore();
  const source = new InMemoryWorkSource();
  const runtime = new AgentRuntime({ source, store, handlers, clock: { now: () => new Date() }, logger }, options);
  const task = aTask({ type: "work", ...taskOverrides });
  store.tasks.set(task.taskId, task);
  const message = { taskId: task.taskId, attempt: task.attempt, agentType: task.agentType, priority: task.priority };
  return { store, source, runtime, task, message };
}

/** A handler that finishes after `ms` on the test's clock. */
const takes =
  (ms: number, result: JsonObject = {}): TaskHandler =>
  () =>
    new Promise((resolve) => setTimeout(() => resolve(result), ms));

/** A handler that runs until aborted, and says when it started (after its claim). */
function untilAborted() {
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const seen: { reason?: unknown } = {};
  const handler: TaskHandler = (_payload, { signal }) => {
    started();
    return new Promise((_, reject) =>
      signal.addEventListener("abort", () => {
        seen.reason = signal.reason;
        reject(signal.reason);
      }),
    );
  };
  return { handler, running, seen };
}

const receiveOne = async (source: InMemoryWorkSource) => {
  const [work] = await source.receive("normal", { max: 1, waitSeconds: 0 });
  if (!work) throw new Error("no message");
  return work;
};

describe("AgentRuntime.process", () => {
  it("claims, runs and completes a task, then deletes its message", async () => {
    const handler = vi.fn(async (payload: JsonObject) => ({ seen: payload }));
    const { store, source, runtime, task, message } = setup({ work: handler });
    source.send("normal", message);

    expect(await runtime.process(await receiveOne(source))).toBe("completed");

    expect(handler).toHaveBeenCalledOnce();
    expect(await store.get(task.taskId)).toMatchObject({
      status: "completed",
      agentId: "agent-a",
      result: { seen: task.payload },
    });
    expect(source.acknowledged).toHaveLength(1);
  });

  it("runs a task once when its message is delivered twice", async () => {
    const handler = vi.fn(async () => ({}));
    const { store, source, runtime, task, message } = setup({ work: handler });
    source.send("normal", message);
    source.send("normal", message);

    const outcomes = [await runtime.process(await receiveOne(source)), await runtime.process(await receiveOne(source))];

    expect(outcomes).toEqual(["completed", "refused"]);
    expect(handler).toHaveBeenCalledOnce();
    expect(store.writes.filter((w) => w.taskId === task.taskId).map((w) => w.kind)).toEqual(["claim", "complete"]);
    expect(source.depth("normal")).toBe(0);
  });

  it("releases a message it cannot read, so it reaches the dead-letter queue", async () => {
    const { source, runtime } = setup({});
    source.send("normal", "not json");
    expect(await runtime.process(await receiveOne(source))).toBe("poison");
    expect(source.released).toHaveLength(1);
    expect(source.acknowledged).toHaveLength(0);
  });

  it("releases a message that names no task", async () => {
    const { source, runtime, message } = setup({});
    source.send("normal", { ...message, taskId: "ghost" });
    expect(await runtime.process(await receiveOne(source))).toBe("poison");
    expect(source.released).toHaveLength(1);
  });

  it("re-queues a task whose handler failed with a retryable error, as the next attempt", async () => {
    const { store, source, runtime, task, message } = setup({
      work: async () => {
        throw new Error("upstream timeout");
      },
    });
    source.send("normal", message);
    expect(await runtime.process(await receiveOne(source))).toBe("failed");
    expect(await store.get(task.taskId)).toMatchObject({
      status: "queued",
      attempt: 2,
      error: { message: "upstream timeout", retryable: true },
    });
    expect(source.acknowledged).toHaveLength(1);
  });

  it("does not start a task that has expired in the queue", async () => {
    const handler = vi.fn(async () => ({}));
    const { store, source, runtime, task, message } = setup({ work: handler }, { expiresAt: "2020-01-01T00:00:00.000Z" });
    source.send("normal", message);
    expect(await runtime.process(await receiveOne(source))).toBe("refused");
    expect(handler).not.toHaveBeenCalled();
    expect((await store.get(task.taskId))?.status).toBe("queued");
  });

  it("aborts the handler at the next heartbeat once the task is cancelled, and its late result is refused", async () => {
    const { handler, running, seen } = untilAborted();
    const { store, source, runtime, task, message } = setup({ work: handler });
    source.send("normal", message);
    const outcome = runtime.process(await receiveOne(source));
    await running;

    // WHEN the task is cancelled while it runs
    await store.apply(task.taskId, planTransition({ kind: "cancel", by: "alice" }, { now: new Date(), policy: POLICY }));

    // THEN nothing happens before the next heartbeat, and the refused renewal at it aborts the handler
    await vi.advanceTimersByTimeAsync(options.heartbeatIntervalMs - 1);
    expect(seen.reason).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toBe("failed");
    expect(String(seen.reason)).toMatch(/the task is cancelled/);
    expect(await store.get(task.taskId)).toMatchObject({ status: "cancelled", cancelledBy: "alice" });
    expect(source.acknowledged).toHaveLength(1);
  });

  it("renews its claim and keeps its message invisible once per heartbeat interval while the task runs", async () => {
    const { store, source, runtime, task, message } = setup({ work: takes(55) });
    source.send("normal", message);

    const outcome = runtime.process(await receiveOne(source));
    await vi.advanceTimersByTimeAsync(55);

    expect(await outcome).toBe("completed");
    // 55 ms at one heartbeat every 10 ms: five renewals, each with a visibility extension.
    expect(store.writes.filter((w) => w.taskId === task.taskId).map((w) => w.kind)).toEqual([
      "claim",
      ...Array<string>(5).fill("heartbeat"),
      "complete",
    ]);
    expect(source.extended).toHaveLength(5);
    expect(await store.get(task.taskId)).toMatchObject({ heartbeatAt: new Date(T0.getTime() + 50).toISOString() });
  });

  it("dead-letters the task when its message cannot be settled on the last delivery", async () => {
    const { store, source, task, message } = setup({ work: async () => ({}) });
    let calls = 0;
    const broken: TaskStore = {
      create: (t) => store.create(t),
      get: (id) => store.get(id),
      apply: async (taskId, plan) => {
        calls++;
        if (plan.kind === "claim") throw new Error("DynamoDB is unreachable");
        return store.apply(taskId, plan);
      },
    };
    const brokenRuntime = new AgentRuntime(
      { source, store: broken, handlers: {}, clock: { now: () => new Date() }, logger },
      options,
    );
    source.send("normal", message);
    for (let delivery = 1; delivery <= 3; delivery++) {
      const work = await receiveOne(source);
      expect(await brokenRuntime.process(work)).toBe("unsettled");
      await source.release(work);
    }
    expect(calls).toBe(4);
    expect(await store.get(task.taskId)).toMatchObject({
      status: "dead_lettered",
      error: { code: "PoisonMessage", retryable: false },
    });
  });

  it("fails the task with the handler's error, marking non-retryable ones", async () => {
    const { store, source, runtime, task, message } = setup({
      work: async () => {
        throw new NonRetryableTaskError("bad input", "InvalidPayload");
      },
    });
    source.send("normal", message);
    expect(await runtime.process(await receiveOne(source))).toBe("failed");
    expect((await store.get(task.taskId))?.error).toEqual({ message: "bad input", code: "InvalidPayload", retryable: false });
  });

  it("fails a task of a type it has no handler for, without retrying", async () => {
    const { store, source, runtime, task, message } = setup({});
    source.send("normal", message);
    await runtime.process(await receiveOne(source));
    expect((await store.get(task.taskId))?.error).toMatchObject({ code: "UnknownTaskType", retryable: false });
  });

  it("aborts a handler that outlives the task's timeout and records why", async () => {
    const { handler, seen } = untilAborted();
    const { store, source, runtime, task, message } = setup({ work: handler }, { timeoutSeconds: 1 });
    source.send("normal", message);

    const outcome = runtime.process(await receiveOne(source));
    await vi.advanceTimersByTimeAsync(999);
    expect(seen.reason).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);

    expect(await outcome).toBe("failed");
    expect(seen.reason).toBeDefined();
    expect((await store.get(task.taskId))?.error).toMatchObject({ code: "TaskTimedOut", retryable: true });
    expect((await store.get(task.taskId))?.error?.message).toMatch(/did not finish within its timeout of 1s/);
  });

  it("refuses a result over the size limit", async () => {
    const { store, source, runtime, task, message } = setup({ work: async () => ({ blob: "x".repeat(5_000) }) });
    source.send("normal", message);
    await runtime.process(await receiveOne(source));
    expect((await store.get(task.taskId))?.error).toMatchObject({ code: "ResultTooLarge", retryable: false });
  });
});

describe("AgentRuntime.run", () => {
  it("takes critical work before low work", async () => {
    const order: string[] = [];
    const store = new InMemoryTaskStore();
    const source = new InMemoryWorkSource();
    const runtime = new AgentRuntime(
      {
        source,
        store,
        handlers: {
          work: async (payload) => {
            order.push(String(payload.name));
            return {};
          },
        },
        clock: { now: () => new Date() },
        logger,
      },
      { ...options, maxConcurrentTasks: 1 },
    );
    for (const [taskId, priority] of [
      ["low-1", "low"],
      ["critical-1", "critical"],
    ] as const) {
      store.tasks.set(taskId, aTask({ taskId, priority, type: "work", payload: { name: taskId } }));
      source.send(priority, { taskId, attempt: 1, agentType: "data-quality", priority });
    }

    const done = runtime.run();
    await vi.waitFor(() => expect(order).toHaveLength(2));
    await runtime.stop(100);
    // The idle loop's long polls answer (empty) after longPollSeconds.
    await vi.advanceTimersByTimeAsync(options.longPollSeconds * 1_000);
    await done;

    expect(order).toEqual(["critical-1", "low-1"]);
  });

  it("wakes from a long poll as soon as work arrives on any queue", async () => {
    const { store, source, runtime, task, message } = setup({ work: async () => ({}) }, { priority: "low" });
    const done = runtime.run();
    await vi.advanceTimersByTimeAsync(100);
    expect((await store.get(task.taskId))?.status).toBe("queued");

    source.send("low", { ...message, priority: "low" });
    await vi.advanceTimersByTimeAsync(0);

    expect((await store.get(task.taskId))?.status).toBe("completed");
    await runtime.stop(100);
    await vi.advanceTimersByTimeAsync(options.longPollSeconds * 1_000);
    await done;
  });

  it("on stop, takes no new work and lets running tasks finish", async () => {
    const { store, source, runtime, task, message } = setup({ work: takes(100, { ok: true }) });
    source.send("normal", message);
    const done = runtime.run();
    await vi.waitFor(async () => expect((await store.get(task.taskId))?.status).toBe("running"));

    const stopped = runtime.stop(5_000);
    source.send("normal", { ...message, taskId: "after-stop" });
    await vi.advanceTimersByTimeAsync(100);
    await stopped;
    await vi.advanceTimersByTimeAsync(options.longPollSeconds * 1_000);
    await done;

    expect((await store.get(task.taskId))?.status).toBe("completed");
    expect(runtime.inFlight).toBe(0);
    expect(source.depth("normal")).toBe(1);
  });

  it("on stop, aborts a task still running after the grace period and reports it as a retryable failure", async () => {
    const { handler, running } = untilAborted();
    const { store, source, runtime, task, message } = setup({ work: handler });
    source.send("normal", message);
    const done = runtime.run();
    await vi.waitFor(() => running);

    const stopped = runtime.stop(5_000);
    await vi.advanceTimersByTimeAsync(4_999);
    expect((await store.get(task.taskId))?.status).toBe("running");
    await vi.advanceTimersByTimeAsync(1);
    await stopped;
    await vi.advanceTimersByTimeAsync(options.longPollSeconds * 1_000);
    await done;

    expect(await store.get(task.taskId)).toMatchObject({
      status: "queued",
      attempt: 2,
      error: { message: "the agent is shutting down", retryable: true },
    });
  });
});
