import { describe, expect, it } from "vitest";
import { ConflictError, PayloadTooLargeError } from "#core/shared/errors";
import type { Caller } from "#core/shared/identity";
import { submitTask } from "#core/tasks/domain/submit-task";
import { SubmitTaskRequest } from "#core/tasks/domain/task";
import { InMemoryTaskStore } from "../../support/in-memory-task-store";

const caller: Caller = { sub: "user-1", username: "alice", roles: ["operator"] };
const clock = { now: () => new Date("2026-11-23T10:00:00.000Z") };
const limits = { maxPayloadBytes: 1_024 };
const request = (overrides: Record<string, unknown> = {}) =>
  SubmitTaskRequest.parse({ type: "diagnostics.echo", agentType: "data-quality", payload: { n: 1 }, ...overrides });

describe("submitTask", () => {
  it("stores a new task as queued, attempt 1, owned by the caller", async () => {
    // GIVEN
    const store = new InMemoryTaskStore();
    // WHEN
    const { task, created } = await submitTask(request({ priority: "high" }), caller, { store, clock, limits });
    // THEN
    expect(created).toBe(true);
    expect(task).toMatchObject({
      status: "queued",
      attempt: 1,
      priority: "high",
      submittedBy: "user-1",
      queuedAt: "2026-11-23T10:00:00.000Z",
    });
    expect(await store.get(task.taskId)).toEqual(task);
  });

  it("returns the first task, storing nothing, when the same idempotency key is repeated", async () => {
    const store = new InMemoryTaskStore();
    const first = await submitTask(request({ idempotencyKey: "order-42" }), caller, { store, clock, limits });
    const second = await submitTask(request({ idempotencyKey: "order-42" }), caller, { store, clock, limits });
    expect(second).toEqual({ task: first.task, created: false });
    expect(store.writes.filter((w) => w.kind === "create")).toHaveLength(1);
  });

  it("treats the same key from two callers as two tasks", async () => {
    const store = new InMemoryTaskStore();
    const mine = await submitTask(request({ idempotencyKey: "k" }), caller, { store, clock, limits });
    const theirs = await submitTask(request({ idempotencyKey: "k" }), { ...caller, sub: "user-2" }, { store, clock, limits });
    expect(theirs.task.taskId).not.toBe(mine.task.taskId);
  });

  it("refuses a reused key with a different request (409), leaving the first task alone", async () => {
    const store = new InMemoryTaskStore();
    const first = await submitTask(request({ idempotencyKey: "k" }), caller, { store, clock, limits });
    await expect(
      submitTask(request({ idempotencyKey: "k", payload: { n: 2 } }), caller, { store, clock, limits }),
    ).rejects.toThrow(ConflictError);
    expect(await store.get(first.task.taskId)).toEqual(first.task);
  });

  it("refuses a payload over the limit with 413 naming the payload", async () => {
    const store = new InMemoryTaskStore();
    const error = await submitTask(request({ payload: { blob: "x".repeat(2_000) } }), caller, { store, clock, limits }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error).toMatchObject({ status: 413, fields: [{ field: "payload" }] });
    expect(store.tasks.size).toBe(0);
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
