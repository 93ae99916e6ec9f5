import { Logger } from "@aws-lambda-powertools/logger";
import { describe, expect, it, vi } from "vitest";
import { NonRetryableTaskError, type TaskHandler } from "../../../containers/agent/src/runtime/task-handler";
import { AgentRuntime, type AgentRuntimeOptions } from "../../../containers/agent/src/runtime/agent-runtime";
import type { TaskStore } from "#tasks/domain/ports";
import { planTransition } from "#tasks/domain/task-state-machine";
import { InMemoryTaskStore } from "../../support/in-memory-task-store";
import { InMemoryWorkSource } from "../../support/in-memory-work-source";
import { aTask, POLICY } from "../../support/tasks";
import type { JsonObject } from "#kernel/json";

const logger = new Logger({ logLevel: "SILENT" });
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
    let aborted: unknown;
    const { store, source, runtime, task, message } = setup({
      work: (_payload, { signal }) =>
        new Promise((_, reject) =>
          signal.addEventListener("abort", () => {
            aborted = signal.reason;
            reject(signal.reason);
          }),
        ),
    });
    source.send("normal", message);
    const outcome = runtime.process(await receiveOne(source));
    await vi.waitFor(async () => expect((await store.get(task.taskId))?.status).toBe("running"));
    await store.apply(task.taskId, planTransition({ kind: "cancel", by: "alice" }, { now: new Date(), policy: POLICY }));
    await outcome;
    expect(String(aborted)).toMatch(/the task is cancelled/);
    expect(await store.get(task.taskId)).toMatchObject({ status: "cancelled", cancelledBy: "alice" });
    expect(source.acknowledged).toHaveLength(1);
  });

  it("renews its claim while the task runs", async () => {
    const { store, source, runtime, task, message } = setup({
      work: () => new Promise((resolve) => setTimeout(() => resolve({}), 60)),
    });
    source.send("normal", message);
    await runtime.process(await receiveOne(source));
    expect(store.writes.filter((w) => w.taskId === task.taskId).map((w) => w.kind)).toEqual(
      expect.arrayContaining(["claim", "heartbeat", "complete"]),
    );
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
    let aborted = false;
    const { store, source, runtime, task, message } = setup(
      {
        work: (_payload, { signal }) =>
          new Promise((_, reject) => {
            signal.addEventListener("abort", () => {
              aborted = true;
              reject(signal.reason);
            });
          }),
      },
      { timeoutSeconds: 1 },
    );
    source.send("normal", message);
    expect(await runtime.process(await receiveOne(source))).toBe("failed");
    expect(aborted).toBe(true);
    expect((await store.get(task.taskId))?.error).toMatchObject({ code: "TaskTimedOut", retryable: true });
    expect((await store.get(task.taskId))?.error?.message).toMatch(/did not finish within its timeout of 1s/);
  });

  it("keeps the message invisible while the task runs", async () => {
    const { source, runtime, message } = setup({ work: () => new Promise((resolve) => setTimeout(() => resolve({}), 50)) });
    source.send("normal", message);
    await runtime.process(await receiveOne(source));
    expect(source.extended.length).toBeGreaterThanOrEqual(2);
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
    await vi.waitFor(() => expect(order).toHaveLength(2), { timeout: 2_000 });
    await runtime.stop(100);
    await done;
    expect(order).toEqual(["critical-1", "low-1"]);
  });

  it("on stop, takes no new work and lets running tasks finish", async () => {
    const { store, source, runtime, task, message } = setup({
      work: () => new Promise((resolve) => setTimeout(() => resolve({ ok: true }), 100)),
    });
    source.send("normal", message);
    const done = runtime.run();
    await vi.waitFor(async () => expect((await store.get(task.taskId))?.status).toBe("running"));
    await runtime.stop(5_000);
    await done;
    expect((await store.get(task.taskId))?.status).toBe("completed");
    expect(runtime.inFlight).toBe(0);
  });
});
