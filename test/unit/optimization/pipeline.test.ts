import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_KEYWORD_CONFIG } from "#detection/published/settings";
import type { Caller } from "#shared/identity";
import { decide } from "#optimization/domain/approvals";
import { documentBytes } from "#optimization/domain/documents";
import { submitOptimization } from "#optimization/domain/intake";
import type { PatchOperation } from "#optimization/domain/json-patch";
import {
  acquireLockStep,
  applyStep,
  assessRiskStep,
  awaitApprovalStep,
  checkStaleStep,
  lockHolderOf,
  lockResourceOf,
  recordStep,
  releaseStep,
  rollbackStep,
  settleTimeoutStep,
  validateStep,
  verifyStep,
} from "#optimization/domain/pipeline";
import { runtimeSettingsOf } from "#optimization/published/runtime-settings";
import { taskFiguresFrom } from "#tasks/published/task-figures";
import { InMemoryTaskStats } from "../../support/in-memory-task-stats";
import {
  FakePipelineControl,
  fakeClock,
  InMemoryLedger,
  InMemoryLocks,
  InMemoryOptimizationStore,
  InMemorySettingsBucket,
} from "../../support/optimization";

const operator: Caller = { sub: "u-op", username: "operator", roles: ["operator"] };
const admin: Caller = { sub: "u-admin", username: "admin", roles: ["admin"] };

function harness() {
  const store = new InMemoryOptimizationStore();
  const bucket = new InMemorySettingsBucket();
  const ledger = new InMemoryLedger();
  const locks = new InMemoryLocks(bucket);
  const control = new FakePipelineControl();
  const stats = new InMemoryTaskStats();
  const clock = fakeClock();
  const keywordsV1 = bucket.seed("detection-keywords", DEFAULT_KEYWORD_CONFIG);
  const runtimeV1 = bucket.seed(
    "runtime-settings",
    runtimeSettingsOf({ maxAgentsPerType: 5, maxConcurrentTasksPerAgent: 3, retryBaseDelaySeconds: 2 }),
  );
  const deps = {
    store,
    bucket,
    ledger,
    locks,
    control,
    clock,
    figures: taskFiguresFrom(stats),
    policy: { autoApplyLowRisk: true, requireApprovalThreshold: "medium" as const },
    approvalTimeoutSeconds: 60,
    lockWaitSeconds: 10,
    lockLeaseSeconds: 120,
    verificationWindowSeconds: 5,
  };
  const submit = async (patch: PatchOperation[], overrides: Record<string, unknown> = {}) =>
    (
      await submitOptimization(
        {
          type: "accuracy",
          severity: "low",
          title: "tune",
          description: "",
          document: "detection-keywords",
          baseVersion: keywordsV1,
          patch,
          expectedBenefits: [],
          confidence: 0.9,
          ...overrides,
        },
        operator,
        deps,
      )
    ).record.recommendationId;
  /** Runs the auto path from the lock through verification, as the state machine would. */
  const lockApplyVerify = async (id: string) => {
    expect(await acquireLockStep(id, deps)).toMatchObject({ outcome: "acquired" });
    expect(await checkStaleStep(id, deps)).toMatchObject({ outcome: "current" });
    const applied = await applyStep(id, deps);
    const verified = await verifyStep(id, deps);
    return { applied, verified };
  };
  return { store, bucket, ledger, locks, control, stats, deps, keywordsV1, runtimeV1, submit, lockApplyVerify };
}

const nudge: PatchOperation[] = [{ op: "replace", path: "/threshold", value: 0.55 }];
const blind: PatchOperation[] = [{ op: "replace", path: "/threshold", value: 0.99 }];

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date("2026-12-01T10:00:00.000Z"));
});
afterEach(() => vi.useRealTimers());

describe("the auto path", () => {
  it("validates, assesses low risk, applies a new version fenced with the lock's token, verifies, records and releases", async () => {
    const h = harness();
    const id = await h.submit(nudge);
    expect(h.control.started).toEqual([id]);

    expect(await validateStep(id, h.deps)).toMatchObject({ outcome: "valid" });
    expect(await assessRiskStep(id, h.deps)).toMatchObject({ outcome: "auto", level: "low" });
    const { applied, verified } = await h.lockApplyVerify(id);
    expect(applied).toMatchObject({ outcome: "applied", toVersion: "v3" });
    expect(verified).toMatchObject({ outcome: "passed" });
    await recordStep(id, { outcome: "applied", reason: verified.reason }, h.deps);
    expect(await releaseStep(id, h.deps)).toMatchObject({ outcome: "released" });

    const current = await h.bucket.get("detection-keywords");
    expect(JSON.parse(Buffer.from(current?.body ?? []).toString())).toMatchObject({ threshold: 0.55 });
    expect(current?.metadata).toEqual({ origin: "applied", changedBy: "operator", recommendationId: id, fencingToken: 1 });
    expect(h.ledger.entries).toEqual([
      expect.objectContaining({ versionId: "v3", previousVersion: h.keywordsV1, fencingToken: 1 }),
    ]);
    expect(h.locks.released).toEqual([lockResourceOf("detection-keywords")]);
    const record = await h.store.get(id);
    expect(record).toMatchObject({
      status: "applied",
      toVersion: "v3",
      diff: [{ op: "replace", path: "/threshold", before: "0.5", after: "0.55" }],
    });
    expect((await h.store.steps(id)).map((s) => `${s.name}:${s.outcome}`)).toEqual([
      "validate:valid",
      "assess-risk:auto",
      "acquire-lock:acquired",
      "stale-check:current",
      "apply:applied",
      "verify:passed",
      "record:applied",
      "release:released",
    ]);
    expect(h.store.totals).toEqual({ outcome_applied: 1, appliedTimed: 1, applyTimeSumMs: 0 });
  });

  it("a retried apply finds its own version current and writes nothing twice", async () => {
    const h = harness();
    const id = await h.submit(nudge);
    await validateStep(id, h.deps);
    await acquireLockStep(id, h.deps);
    await applyStep(id, h.deps);
    expect(await applyStep(id, h.deps)).toMatchObject({ outcome: "applied", toVersion: "v3" });
    expect(h.bucket.versions.get("detection-keywords")).toHaveLength(2);
  });
});

describe("validation", () => {
  it("ends a reviewer's change that no longer fits the document as invalid, naming the operation", async () => {
    const h = harness();
    // Stored without the API's checks, as an agent's proposal is.
    const id = await h.submit(nudge);
    const record = await h.store.get(id);
    if (!record) throw new Error("stored");
    h.store.records.set(id, { ...record, patch: [{ op: "test", path: "/threshold", value: 0.7 }, ...nudge] });
    expect(await validateStep(id, h.deps)).toEqual({
      outcome: "invalid",
      reason: "operation 0 (test /threshold) does not apply: the test does not hold: the document has another value there",
    });
  });

  it("ends a change whose result breaks the document's schema as invalid, naming the path", async () => {
    const h = harness();
    const id = await h.submit(nudge);
    const record = await h.store.get(id);
    if (!record) throw new Error("stored");
    h.store.records.set(id, { ...record, patch: [{ op: "replace", path: "/threshold", value: 3 }] });
    expect(await validateStep(id, h.deps)).toMatchObject({ outcome: "invalid", reason: expect.stringContaining("/threshold:") });
  });
});

describe("verification and rollback", () => {
  it("rolls back a change that loses recall on the labelled sample, byte for byte, and only while the version is ours", async () => {
    const h = harness();
    const id = await h.submit(blind);
    await validateStep(id, h.deps);
    const { applied, verified } = await h.lockApplyVerify(id);
    expect(applied.outcome).toBe("applied");
    expect(verified).toMatchObject({ outcome: "failed", reason: expect.stringContaining("eventRecall 1 → 0") });

    const rolledBack = await rollbackStep(id, h.deps);
    expect(rolledBack).toMatchObject({ outcome: "rolled_back", restoredVersion: "v4" });
    const [before, , restored] = [
      await h.bucket.get("detection-keywords", h.keywordsV1),
      undefined,
      await h.bucket.get("detection-keywords"),
    ];
    expect(Buffer.compare(Buffer.from(restored?.body ?? []), Buffer.from(before?.body ?? []))).toBe(0);
    expect(restored?.metadata).toMatchObject({ origin: "rolled_back", restoredFrom: h.keywordsV1 });
    // A retry restores nothing twice.
    expect(await rollbackStep(id, h.deps)).toMatchObject({ outcome: "rolled_back", restoredVersion: "v4" });
    expect(h.bucket.versions.get("detection-keywords")).toHaveLength(3);
  });

  it("leaves alone a version someone else wrote after ours", async () => {
    const h = harness();
    const id = await h.submit(blind);
    await validateStep(id, h.deps);
    await h.lockApplyVerify(id);
    h.bucket.write("detection-keywords", documentBytes({ ...DEFAULT_KEYWORD_CONFIG, version: "hand-made" }), {
      origin: "applied",
      changedBy: "someone",
    });
    expect(await rollbackStep(id, h.deps)).toMatchObject({ outcome: "superseded" });
    expect(h.bucket.versions.get("detection-keywords")).toHaveLength(3);
  });

  it("judges a runtime change by the concerned type's outcomes, the window after against the window before", async () => {
    const h = harness();
    const id = await h.submit([{ op: "replace", path: "/agentTypes/data-quality/retryBaseDelaySeconds", value: 3 }], {
      document: "runtime-settings",
      baseVersion: h.runtimeV1,
      type: "reliability",
    });
    await validateStep(id, h.deps);
    // Before: 20 finished, 1 failed, in the minute before the apply minute.
    await h.stats.apply({
      change: { taskId: "before-window", version: 1 },
      agentType: "data-quality",
      counters: {},
      minute: { at: "2026-12-01T09:59", counters: { "finished_data-quality": 20, "unsuccessful_data-quality": 1 } },
    });
    await acquireLockStep(id, h.deps);
    await applyStep(id, h.deps);
    vi.advanceTimersByTime(5_000);
    // After: 10 finished, 6 failed.
    await h.stats.apply({
      change: { taskId: "after-window", version: 1 },
      agentType: "data-quality",
      counters: {},
      minute: { at: "2026-12-01T10:00", counters: { "finished_data-quality": 10, "unsuccessful_data-quality": 6 } },
    });
    expect(await verifyStep(id, h.deps)).toMatchObject({
      outcome: "failed",
      reason: "data-quality got worse: failure rate 0.05 → 0.6",
    });
    expect((await h.store.get(id))?.verification).toMatchObject({ passed: false, windowSeconds: 5 });
  });
});

describe("stale and conflicting changes", () => {
  it("ends stale when the document moved on from the version the change was computed from", async () => {
    const h = harness();
    const first = await h.submit(nudge);
    const second = await h.submit([{ op: "replace", path: "/bodyWeight", value: 0.65 }]);
    for (const id of [first, second]) await validateStep(id, h.deps);
    await h.lockApplyVerify(first);
    await releaseStep(first, h.deps);

    expect(await acquireLockStep(second, h.deps)).toMatchObject({ outcome: "acquired" });
    expect(await checkStaleStep(second, h.deps)).toEqual({
      outcome: "stale",
      reason: `detection-keywords is at version v3 now; the change was computed against ${h.keywordsV1}`,
    });
  });

  it("waits for a lock someone holds, then ends in conflict after the lock wait", async () => {
    const h = harness();
    const id = await h.submit(nudge);
    h.locks.holdAs(lockResourceOf("detection-keywords"), "operator:maintenance");
    expect(await acquireLockStep(id, h.deps)).toMatchObject({
      outcome: "busy",
      reason: expect.stringContaining("operator:maintenance"),
    });
    vi.advanceTimersByTime(9_000);
    expect(await acquireLockStep(id, h.deps)).toMatchObject({ outcome: "busy" });
    vi.advanceTimersByTime(1_000);
    expect(await acquireLockStep(id, h.deps)).toMatchObject({
      outcome: "conflict",
      reason: expect.stringContaining("stayed locked by operator:maintenance for 10s"),
    });
    // One step for the first refusal and one for the conflict; the repeat in between adds none.
    expect((await h.store.steps(id)).map((s) => s.outcome)).toEqual(["busy", "conflict"]);
  });

  it("a lock released in time is acquired", async () => {
    const h = harness();
    const id = await h.submit(nudge);
    const operatorLock = h.locks.holdAs(lockResourceOf("detection-keywords"), "user:operator");
    await acquireLockStep(id, h.deps);
    await h.locks.release(operatorLock);
    expect(await acquireLockStep(id, h.deps)).toMatchObject({ outcome: "acquired", fencingToken: 2 });
  });

  it("refuses to write once its lease was taken over (fenced), and writes while it holds it", async () => {
    const h = harness();
    const id = await h.submit(nudge);
    await validateStep(id, h.deps);
    await acquireLockStep(id, h.deps);
    const ours = h.locks.held.get(lockResourceOf("detection-keywords"));
    // Our lease lapsed and an operator was granted the lock (a later token).
    h.locks.holdAs(lockResourceOf("detection-keywords"), "user:operator");
    expect(await applyStep(id, h.deps)).toMatchObject({
      outcome: "fenced",
      reason: expect.stringContaining("no longer the current lease"),
    });
    expect(h.bucket.versions.get("detection-keywords")).toHaveLength(1);
    // Control: with our lease current the same write goes through.
    if (ours) h.locks.held.set(ours.resource, ours);
    expect(await applyStep(id, h.deps)).toMatchObject({ outcome: "applied" });
  });

  it("ends stale when another write lands between the check and the write (If-Match)", async () => {
    const h = harness();
    const id = await h.submit(nudge);
    await validateStep(id, h.deps);
    await acquireLockStep(id, h.deps);
    h.bucket.beforePut = () => {
      h.bucket.beforePut = undefined;
      h.bucket.write("detection-keywords", documentBytes({ ...DEFAULT_KEYWORD_CONFIG, version: "sneaky" }), {
        origin: "applied",
        changedBy: "x",
      });
    };
    expect(await applyStep(id, h.deps)).toMatchObject({
      outcome: "stale",
      reason: "detection-keywords changed while it was being written",
    });
  });
});

describe("approvals", () => {
  async function pending(h: ReturnType<typeof harness>) {
    const id = await h.submit(nudge, { severity: "medium" });
    await validateStep(id, h.deps);
    expect(await assessRiskStep(id, h.deps)).toMatchObject({ outcome: "approval", level: "medium" });
    await awaitApprovalStep(id, "token-abc", new Date().toISOString(), h.deps);
    return id;
  }

  it("keeps the token beside the recommendation, and an approval resumes the pipeline with it", async () => {
    const h = harness();
    const id = await pending(h);
    expect(await h.store.get(id)).toMatchObject({ status: "pending", approvalDeadline: "2026-12-01T10:01:00.000Z" });
    vi.advanceTimersByTime(20_000);
    const decided = await decide(id, "approved", admin, "ok", h.deps);
    expect(decided).toMatchObject({ status: "approved", decidedBy: "admin", decisionComment: "ok" });
    expect(h.control.resumed).toEqual([
      { token: "token-abc", output: { outcome: "approved", decidedBy: "admin", reason: "approved by admin: ok" } },
    ]);
    expect(h.store.tokens.has(id)).toBe(false);
    await recordStep(id, { outcome: "applied", reason: "" }, h.deps);
    expect(h.store.totals).toMatchObject({ decided: 1, decisionTimeSumMs: 20_000 });
  });

  it("a decision and the timeout race: exactly one lands, whichever is first", async () => {
    const h = harness();
    const id = await pending(h);
    expect(await settleTimeoutStep(id, h.deps)).toMatchObject({ outcome: "expired" });
    await expect(decide(id, "approved", admin, undefined, h.deps)).rejects.toMatchObject({
      status: 409,
      code: "ApprovalWindowClosed",
    });

    const other = harness();
    const id2 = await pending(other);
    await decide(id2, "rejected", admin, undefined, other.deps);
    // The wait timed out just after the decision: the timeout step goes on with the decision.
    expect(await settleTimeoutStep(id2, other.deps)).toMatchObject({ outcome: "rejected" });
    expect(await other.store.get(id2)).toMatchObject({ status: "rejected", decision: "rejected" });
  });

  it("refuses a decision after the deadline even before the timeout step ran (409), and a second decision", async () => {
    const h = harness();
    const id = await pending(h);
    vi.advanceTimersByTime(60_000);
    await expect(decide(id, "approved", admin, undefined, h.deps)).rejects.toMatchObject({
      status: 409,
      code: "ApprovalWindowClosed",
    });

    const other = harness();
    const id2 = await pending(other);
    await decide(id2, "approved", admin, undefined, other.deps);
    await expect(decide(id2, "rejected", operator, undefined, other.deps)).rejects.toMatchObject({
      status: 409,
      code: "AlreadyDecided",
    });
    await expect(decide("nope", "approved", admin, undefined, other.deps)).rejects.toMatchObject({ status: 404 });
  });

  it("a retried wait keeps the first deadline", async () => {
    const h = harness();
    const id = await pending(h);
    vi.advanceTimersByTime(30_000);
    await awaitApprovalStep(id, "token-def", new Date().toISOString(), h.deps);
    expect(await h.store.get(id)).toMatchObject({ approvalDeadline: "2026-12-01T10:01:00.000Z" });
  });

  it("records an outcome once, however often the record step runs", async () => {
    const h = harness();
    const id = await pending(h);
    await settleTimeoutStep(id, h.deps);
    await recordStep(id, { outcome: "expired", reason: "no decision" }, h.deps);
    await recordStep(id, { outcome: "expired", reason: "no decision" }, h.deps);
    expect(h.store.totals).toEqual({ outcome_expired: 1 });
    expect(lockHolderOf(id)).toBe(`function:optimization-pipeline/${id}`);
  });
});
