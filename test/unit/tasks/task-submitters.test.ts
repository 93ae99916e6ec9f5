import { describe, expect, it } from "vitest";
import { TASK_TYPES, type TaskTypeName } from "#kernel/agent-catalog";
import type { Caller } from "#shared/identity";
import { type SubmitBatchDeps, submitBatch } from "#tasks/domain/submit-batch";
import type { SubmitDeps } from "#tasks/domain/submit-task";
import { submitTask } from "#tasks/domain/submit-task";
import { SubmitTaskRequest } from "#tasks/domain/task";
import { requireSubmitter, TaskTypeForbiddenError } from "#tasks/domain/task-submitters";
import { systemCaller } from "#tasks/published/task-submitter";
import { InMemoryTaskStore } from "../../support/in-memory-task-store";

const user = (...roles: Caller["roles"]): Caller => ({ sub: `sub-${roles.join("-")}`, username: "u", roles });
const admin = user("admin");
const operator = user("operator");
const system = systemCaller("keyword-precision");
const enabled = { diagnosticsEnabled: true };

const deps = (overrides: Partial<SubmitDeps> = {}): SubmitBatchDeps => {
  const store = new InMemoryTaskStore();
  return {
    store,
    writer: store,
    reader: store,
    batchAdmission: () => ({ admit: async () => {} }),
    clock: { now: () => new Date("2026-12-02T10:00:00.000Z") },
    limits: { maxPayloadBytes: 10_000, queuedTtlSeconds: 600 },
    chooser: { choose: async () => "data-quality" as const },
    admission: { admit: async () => {} },
    diagnosticsEnabled: true,
    ...overrides,
  };
};

const SYSTEM_TYPES = ["tge.score", "tge.validate", "feed.fetch", "metrics.review"] as const;
const DIAGNOSTICS = ["diagnostics.echo", "diagnostics.sleep", "diagnostics.fail"] as const;

describe("task type owners", () => {
  it("every task type names its submitters: the pipeline's types the system, the diagnostics the admins", () => {
    const owners = Object.fromEntries(Object.entries(TASK_TYPES).map(([type, spec]) => [type, spec.submitters]));
    const expected: Record<string, string> = {
      ...Object.fromEntries(SYSTEM_TYPES.map((type) => [type, "system"])),
      ...Object.fromEntries(DIAGNOSTICS.map((type) => [type, "admins"])),
    };
    expect(owners).toEqual(expected);
    expect(Object.keys(expected).sort()).toEqual(Object.keys(TASK_TYPES).sort() satisfies string[] as TaskTypeName[]);
  });

  it("refuses the pipeline's types to every user, admins included, and admits the system's own submitters", () => {
    for (const type of SYSTEM_TYPES) {
      for (const caller of [admin, operator, user("viewer"), user("admin", "operator")]) {
        expect(() => requireSubmitter(type, caller, enabled), `${type} ${caller.roles.join()}`).toThrow(TaskTypeForbiddenError);
      }
      // Control: the same check lets a component through.
      expect(() => requireSubmitter(type, system, enabled)).not.toThrow();
    }
  });

  it("lets only admins submit diagnostics, and nobody where the stage has them off", () => {
    for (const type of DIAGNOSTICS) {
      expect(() => requireSubmitter(type, admin, enabled)).not.toThrow();
      expect(() => requireSubmitter(type, operator, enabled)).toThrow(/admins only/);
      expect(() => requireSubmitter(type, system, enabled)).toThrow(TaskTypeForbiddenError);
      expect(() => requireSubmitter(type, admin, { diagnosticsEnabled: false })).toThrow(/disabled on this stage/);
    }
  });

  it("an operator's tge.validate with score 1 is refused with 403 naming the type, and nothing is stored", async () => {
    // GIVEN the forged candidate of the issue: a real project's name and a perfect score
    const store = new InMemoryTaskStore();
    const d = deps({ store });
    const forged = SubmitTaskRequest.parse({
      type: "tge.validate",
      agentType: "data-quality",
      payload: { itemId: "x", score: 1, project: { slug: "brindle", name: "Brindle" } },
    });
    // WHEN / THEN
    const refusal = await submitTask(forged, operator, d).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(TaskTypeForbiddenError);
    expect(refusal).toMatchObject({ status: 403, code: "TaskTypeForbidden", fields: [{ field: "type" }] });
    expect((refusal as Error).message).toContain("tge.validate");
    expect(store.writes).toHaveLength(0);
    // Control: the same request from data-quality's own submitter is stored.
    expect((await submitTask(forged, system, d)).created).toBe(true);
  });

  it("batch submit answers 403 for each item of a type the caller does not own, and takes the rest", async () => {
    const response = await submitBatch(
      [
        { type: "tge.score", agentType: "keyword-precision" },
        { type: "diagnostics.echo", agentType: "data-quality" },
      ],
      operator,
      deps(),
    );
    expect(response.results.map((r) => [r.status, r.error?.code])).toEqual([
      [403, "TaskTypeForbidden"],
      [403, "TaskTypeForbidden"],
    ]);
    expect(response.results[0]?.error?.message).toContain("tge.score");
    const asAdmin = await submitBatch(
      [
        { type: "tge.score", agentType: "keyword-precision" },
        { type: "diagnostics.echo", agentType: "data-quality" },
      ],
      admin,
      deps(),
    );
    expect(asAdmin.results.map((r) => r.status)).toEqual([403, 201]);
  });
});
