import { describe, expect, it } from "vitest";
import type { AgentType, Capability } from "#kernel/agent-catalog";
import { ConflictError, PayloadTooLargeError, QueueFullError } from "#shared/errors";
import type { Caller } from "#shared/identity";
import { type SubmitDeps, submitTask } from "#tasks/domain/submit-task";
import { servingTypes, SubmitTaskRequest } from "#tasks/domain/task";
import { InMemoryTaskStore } from "../../support/in-memory-task-store";

// Diagnostics, which these tests submit, are the admins' task types.
const caller: Caller = { sub: "user-1", username: "alice", roles: ["admin"] };
const clock = { now: () => new Date("2026-11-23T10:00:00.000Z") };
const request = (overrides: Record<string, unknown> = {}) =>
  SubmitTaskRequest.parse({ type: "diagnostics.echo", agentType: "data-quality", payload: { n: 1 }, ...overrides });

function deps(overrides: Partial<SubmitDeps> = {}) {
  const store = new InMemoryTaskStore();
  const chosen: Capability[] = [];
  const base: SubmitDeps = {
    store,
    clock,
    limits: { maxPayloadBytes: 1_024, queuedTtlSeconds: 3_600 },
    chooser: {
      choose: async (capability) => {
        chosen.push(capability);
        return "keyword-precision" as AgentType;
      },
    },
    admission: { admit: async () => {} },
    diagnosticsEnabled: true,
    ...overrides,
  };
  return { ...base, store, chosen };
}

describe("submitTask", () => {
  it("stores a new task as queued, attempt 1 of 1 + maxRetries, expiring after the TTL", async () => {
    // GIVEN
    const d = deps();
    // WHEN
    const { task, created } = await submitTask(request({ priority: "high", maxRetries: 2 }), caller, d);
    // THEN
    expect(created).toBe(true);
    expect(task).toMatchObject({
      status: "queued",
      attempt: 1,
      attemptsAllowed: 3,
      priority: "high",
      submittedBy: "user-1",
      queuedAt: "2026-11-23T10:00:00.000Z",
      availableAt: "2026-11-23T10:00:00.000Z",
      expiresAt: "2026-11-23T11:00:00.000Z",
    });
    expect(await d.store.get(task.taskId)).toEqual(task);
  });

  it("lets the scheduler choose the agent type for a capability", async () => {
    const d = deps();
    const { task } = await submitTask(request({ agentType: undefined, capability: "tge-scoring" }), caller, d);
    expect(d.chosen).toEqual(["tge-scoring"]);
    expect(task).toMatchObject({ agentType: "keyword-precision", capability: "tge-scoring" });
  });

  it("returns the first task, storing nothing, when the same idempotency key is repeated", async () => {
    const d = deps();
    const first = await submitTask(request({ idempotencyKey: "order-42" }), caller, d);
    const second = await submitTask(request({ idempotencyKey: "order-42" }), caller, d);
    expect(second).toEqual({ task: first.task, created: false });
    expect(d.store.writes.filter((w) => w.kind === "create")).toHaveLength(1);
  });

  it("replays an idempotent request even when the queue has filled up since", async () => {
    const d = deps();
    const first = await submitTask(request({ idempotencyKey: "k" }), caller, d);
    const full = { ...d, admission: { admit: async () => Promise.reject(new QueueFullError("data-quality", 10, 10, 5)) } };
    expect((await submitTask(request({ idempotencyKey: "k" }), caller, full)).task).toEqual(first.task);
    await expect(submitTask(request(), caller, full)).rejects.toBeInstanceOf(QueueFullError);
  });

  it("treats the same key from two callers as two tasks", async () => {
    const d = deps();
    const mine = await submitTask(request({ idempotencyKey: "k" }), caller, d);
    const theirs = await submitTask(request({ idempotencyKey: "k" }), { ...caller, sub: "user-2" }, d);
    expect(theirs.task.taskId).not.toBe(mine.task.taskId);
  });

  it("refuses a reused key with a different request (409), leaving the first task alone", async () => {
    const d = deps();
    const first = await submitTask(request({ idempotencyKey: "k" }), caller, d);
    await expect(submitTask(request({ idempotencyKey: "k", payload: { n: 2 } }), caller, d)).rejects.toThrow(ConflictError);
    expect(await d.store.get(first.task.taskId)).toEqual(first.task);
  });

  it("refuses a payload over the limit with 413 naming the payload", async () => {
    const d = deps();
    const error = await submitTask(request({ payload: { blob: "x".repeat(2_000) } }), caller, d).catch((e) => e);
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error).toMatchObject({ status: 413, fields: [{ field: "payload" }] });
    expect(d.store.tasks.size).toBe(0);
  });
});

describe("SubmitTaskRequest", () => {
  it("names every bad field", () => {
    const result = SubmitTaskRequest.safeParse({
      type: "Bad Type",
      agentType: "nope",
      priority: "urgent",
      timeoutSeconds: 0,
      extra: 1,
    });
    expect(result.success).toBe(false);
    const fields = result.error?.issues.map((issue) => issue.path.join(".") || issue.code) ?? [];
    expect(fields).toEqual(expect.arrayContaining(["type", "agentType", "priority", "timeoutSeconds", "unrecognized_keys"]));
  });

  it("needs exactly one of agentType and capability", () => {
    expect(SubmitTaskRequest.safeParse({ type: "x" }).error?.issues[0]).toMatchObject({
      path: ["agentType"],
      message: "either agentType or capability is required",
    });
    expect(SubmitTaskRequest.safeParse({ type: "x", agentType: "data-quality", capability: "tge-scoring" }).success).toBe(false);
    expect(SubmitTaskRequest.safeParse({ type: "x", capability: "astrology" }).success).toBe(false);
  });

  it("reports the missing agent type beside the other bad fields, not only once they are fixed", () => {
    const issues = SubmitTaskRequest.safeParse({ type: "scan", priority: "urgent" }).error?.issues ?? [];
    expect(issues.map((issue) => issue.path.join("."))).toEqual(["priority", "agentType"]);
  });

  it("refuses a task type the named agent type does not run, listing the ones it does", () => {
    const issues = SubmitTaskRequest.safeParse({ type: "scan", agentType: "data-quality" }).error?.issues ?? [];
    expect(issues).toEqual([
      expect.objectContaining({
        path: ["type"],
        message: 'data-quality does not run "scan"; it runs tge.validate, diagnostics.echo, diagnostics.sleep, diagnostics.fail',
      }),
    ]);
    expect(SubmitTaskRequest.safeParse({ type: "tge.validate", agentType: "data-quality" }).success).toBe(true);
  });

  it("refuses a task type no agent type with the named capability runs, and routes among those that do", () => {
    expect(SubmitTaskRequest.safeParse({ type: "tge.validate", capability: "metrics-review" }).error?.issues).toEqual([
      expect.objectContaining({
        path: ["type"],
        message: expect.stringContaining('no agent type with capability "metrics-review"'),
      }),
    ]);
    // Both keyword-precision and data-quality offer tge-scoring; only keyword-precision runs tge.score.
    expect(servingTypes({ type: "tge.score", capability: "tge-scoring" })).toEqual(["keyword-precision"]);
    expect(servingTypes({ type: "diagnostics.echo", capability: "tge-scoring" })).toEqual(["keyword-precision", "data-quality"]);
  });

  it("fills in defaults for optional fields", () => {
    expect(SubmitTaskRequest.parse({ type: "feed.fetch", agentType: "scraping-efficiency" })).toEqual({
      type: "feed.fetch",
      agentType: "scraping-efficiency",
      priority: "normal",
      payload: {},
      timeoutSeconds: 300,
      maxRetries: 3,
    });
  });
});
