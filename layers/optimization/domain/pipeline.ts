import { AGENT_TYPES, type AgentType } from "#kernel/agent-catalog";
import type { OptimizationOutcome } from "#kernel/bus/optimization";
import type { Clock } from "#shared/clock";
import { evaluateOnLabelledSample, type KeywordConfig } from "#detection/published/settings";
import type { TaskFigures } from "#tasks/published/task-figures";
import { changeOf, documentBytes, parseDocument } from "./documents";
import { diffOf } from "./json-patch";
import type { Optimization } from "./optimization";
import type { DocumentLocks, HeldLock, OptimizationStore, SettingsBucket, StoredVersion, VersionLedger } from "./ports";
import { type ApprovalPolicy, assessRisk, needsApproval } from "./risk";
import { SETTINGS_DOCUMENTS, type SettingsName } from "./settings-catalog";
import {
  appliedPlan,
  assessedPlan,
  awaitingPlan,
  completedPlan,
  expiredPlan,
  lockedPlan,
  lockRequestedPlan,
  restoredPlan,
  validatedPlan,
  verifiedPlan,
} from "./transitions";
import { allPassed, labelledSampleCheck, storedCheck, taskOutcomesCheck, type VerificationCheck } from "./verification";

/**
 * The steps of the optimization pipeline, one per Task state of the state machine. Each reads
 * the recommendation's record, does its one thing, records what it did as a step, and returns
 * its outcome as a value the state machine branches on (never as an error: the emulator, and
 * Lambda's own error names, cannot be relied on to carry one). Each is safe to retry: it looks
 * at what an earlier attempt already did before doing it again.
 */

/** Raised when a pipeline step runs for a recommendation whose record is missing or in no state for it. */
export class PipelineStateError extends Error {
  constructor(
    readonly recommendationId: string,
    message: string,
  ) {
    super(`recommendation ${recommendationId}: ${message}`);
    this.name = "PipelineStateError";
  }
}

/** What every step result carries: an outcome word the state machine branches on, and why. */
export interface StepResult<O extends string> {
  readonly outcome: O;
  readonly reason: string;
}

interface StepDeps {
  readonly store: OptimizationStore;
  readonly clock: Clock;
}

/** The lock a recommendation takes on its target document. */
export const lockResourceOf = (name: SettingsName): string => `settings/${name}`;
/** Who holds that lock for the pipeline of a recommendation (coordination's `function:<name>` form). */
export const lockHolderOf = (recommendationId: string): string => `function:optimization-pipeline/${recommendationId}`;

async function load(store: OptimizationStore, recommendationId: string): Promise<Optimization> {
  const record = await store.get(recommendationId);
  if (!record) throw new PipelineStateError(recommendationId, "no such recommendation");
  return record;
}

async function step<O extends string>(deps: StepDeps, id: string, name: string, result: StepResult<O>): Promise<StepResult<O>> {
  await deps.store.addStep(id, { name, outcome: result.outcome, detail: result.reason, at: deps.clock.now().toISOString() });
  return result;
}

async function baseVersionOf(bucket: SettingsBucket, record: Optimization): Promise<StoredVersion | undefined> {
  return bucket.get(record.target, record.baseVersion);
}

/** The record's change applied to its base version: what validate checked, recomputed for later steps. */
async function changeFor(bucket: SettingsBucket, record: Optimization) {
  const base = await baseVersionOf(bucket, record);
  if (!base) throw new PipelineStateError(record.recommendationId, `version ${record.baseVersion} of ${record.target} is gone`);
  const parsed = parseDocument(base.body);
  if (!parsed.ok) throw new PipelineStateError(record.recommendationId, `version ${record.baseVersion} is not JSON`);
  const change = changeOf(record.target, parsed.value, record.patch);
  if (!change.applies || change.problems.length > 0)
    throw new PipelineStateError(record.recommendationId, "its change no longer validates");
  return { base, before: change.before, after: change.after };
}

/**
 * Validate: the base version exists, the patch applies to it, and the patched document passes
 * the document's schema. Records the diff.
 */
export async function validateStep(
  id: string,
  deps: StepDeps & { readonly bucket: SettingsBucket },
): Promise<StepResult<"valid" | "invalid">> {
  const record = await load(deps.store, id);
  const base = await baseVersionOf(deps.bucket, record);
  if (!base) {
    return step(deps, id, "validate", {
      outcome: "invalid",
      reason: `${record.target} has no version ${record.baseVersion}`,
    });
  }
  const parsed = parseDocument(base.body);
  if (!parsed.ok) return step(deps, id, "validate", { outcome: "invalid", reason: `version ${record.baseVersion} is not JSON` });
  const change = changeOf(record.target, parsed.value, record.patch);
  if (!change.applies) {
    return step(deps, id, "validate", {
      outcome: "invalid",
      reason: `operation ${change.opIndex} (${change.op.op} ${change.op.path}) does not apply: ${change.message}`,
    });
  }
  if (change.problems.length > 0) {
    return step(deps, id, "validate", {
      outcome: "invalid",
      reason: `the patched ${record.target} is invalid: ${change.problems.join("; ")}`,
    });
  }
  await deps.store.apply(id, validatedPlan(diffOf(change.before, change.after, record.patch), deps.clock.now()));
  return step(deps, id, "validate", {
    outcome: "valid",
    reason: `the patch applies to ${record.target} version ${record.baseVersion} and the result passes its schema`,
  });
}

/** Assess risk: severity, reach and confidence give a level; the stage's policy says whether a person decides. */
export async function assessRiskStep(
  id: string,
  deps: StepDeps & { readonly bucket: SettingsBucket; readonly policy: ApprovalPolicy },
): Promise<StepResult<"auto" | "approval"> & { readonly level: string }> {
  const record = await load(deps.store, id);
  const { before, after } = await changeFor(deps.bucket, record);
  const assessment = assessRisk({
    severity: record.severity,
    confidence: record.confidence,
    target: record.target,
    patch: record.patch,
    before,
    after,
  });
  const approval = needsApproval(assessment.level, deps.policy);
  await deps.store.apply(id, assessedPlan({ ...assessment, needsApproval: approval }, deps.clock.now()));
  const policy = `autoApplyLowRisk ${deps.policy.autoApplyLowRisk}, approval from ${deps.policy.requireApprovalThreshold}`;
  const result = await step(deps, id, "assess-risk", {
    outcome: approval ? "approval" : "auto",
    reason: `${assessment.level} risk (score ${assessment.score}: ${assessment.reasons.join("; ")}); ${policy}`,
  });
  return { ...result, level: assessment.level };
}

/**
 * Await approval: keeps the task token beside the recommendation and marks it pending until
 * `enteredAt + approvalTimeoutSeconds` (when the state entered, so the deadline we enforce is
 * the one Step Functions enforces). The token goes nowhere else.
 */
export async function awaitApprovalStep(
  id: string,
  token: string,
  enteredAt: string,
  deps: StepDeps & { readonly approvalTimeoutSeconds: number },
): Promise<StepResult<"pending">> {
  const record = await load(deps.store, id);
  const deadline = record.approvalDeadline ?? new Date(Date.parse(enteredAt) + deps.approvalTimeoutSeconds * 1_000).toISOString();
  const requestedAt = record.approvalRequestedAt ?? enteredAt;
  // The token row outlives the deadline a little, so the timeout step still finds and removes it.
  const tokenExpiresAt = new Date(Date.parse(deadline) + 3_600_000).toISOString();
  const stored = await deps.store.awaitDecision(id, awaitingPlan(requestedAt, deadline, deps.clock.now()), token, tokenExpiresAt);
  if (!stored) throw new PipelineStateError(id, `cannot wait for approval in status ${record.status}`);
  return step(deps, id, "await-approval", { outcome: "pending", reason: `waiting for an operator or admin until ${deadline}` });
}

/**
 * The approval wait timed out: the recommendation expires, unless a decision won the
 * conditional write first (then the decision stands, and the pipeline goes on with it).
 */
export async function settleTimeoutStep(id: string, deps: StepDeps): Promise<StepResult<"approved" | "rejected" | "expired">> {
  const expired = await deps.store.apply(id, expiredPlan(deps.clock.now()));
  // The token timed out with the wait; it must not linger.
  await deps.store.takeToken(id);
  if (expired.applied) {
    return step(deps, id, "approval-timeout", { outcome: "expired", reason: "no decision before the approval deadline" });
  }
  const decision = expired.current?.decision;
  if (decision === "approved" || decision === "rejected") {
    return step(deps, id, "approval-timeout", {
      outcome: decision,
      reason: `${decision} by ${expired.current?.decidedBy ?? "?"} before the deadline; the pipeline heard it late`,
    });
  }
  throw new PipelineStateError(id, `approval timed out in status ${expired.current?.status ?? "unknown"}`);
}

/**
 * Acquire the coordination lock on the target document. A lock held by someone else is waited
 * for (the state machine waits and asks again) until `lockWaitSeconds` after the first request;
 * then the recommendation ends in `conflict`.
 */
export async function acquireLockStep(
  id: string,
  deps: StepDeps & { readonly locks: DocumentLocks; readonly lockWaitSeconds: number; readonly lockLeaseSeconds: number },
): Promise<StepResult<"acquired" | "busy" | "conflict"> & { readonly fencingToken?: number }> {
  const now = deps.clock.now();
  const first = await deps.store.apply(id, lockRequestedPlan(now));
  const record = first.applied ? first.record : await load(deps.store, id);
  const resource = lockResourceOf(record.target);
  // The recommendation id is the request key: a retried request gets the same lease back.
  const lock = await deps.locks.acquire(resource, lockHolderOf(id), id, deps.lockLeaseSeconds);
  if (lock.acquired) {
    await deps.store.apply(id, lockedPlan(lock.lock, now));
    const result = await step(deps, id, "acquire-lock", {
      outcome: "acquired",
      reason: `holds ${resource} with fencing token ${lock.lock.token} for ${deps.lockLeaseSeconds}s`,
    });
    return { ...result, fencingToken: lock.lock.token };
  }
  const waitedMs = now.getTime() - Date.parse(record.lockRequestedAt ?? now.toISOString());
  if (waitedMs >= deps.lockWaitSeconds * 1_000) {
    return step(deps, id, "acquire-lock", {
      outcome: "conflict",
      reason: `${resource} stayed locked by ${lock.heldBy} for ${Math.round(waitedMs / 1000)}s (the pipeline waits ${deps.lockWaitSeconds}s)`,
    });
  }
  const busy = { outcome: "busy" as const, reason: `${resource} is locked by ${lock.heldBy}; waiting` };
  // The first refusal is worth a step; the repeats of the same wait are not.
  return first.applied ? step(deps, id, "acquire-lock", busy) : busy;
}

/** The lease a recommendation's record says it holds. */
function heldLock(record: Optimization): HeldLock {
  if (record.fencingToken === undefined || record.leaseId === undefined)
    throw new PipelineStateError(record.recommendationId, "writes without the document's lock");
  return { resource: lockResourceOf(record.target), leaseId: record.leaseId, token: record.fencingToken };
}

/** Stale check: the document must still be at the version the change was computed from. */
export async function checkStaleStep(
  id: string,
  deps: StepDeps & { readonly bucket: SettingsBucket },
): Promise<StepResult<"current" | "stale">> {
  const record = await load(deps.store, id);
  const head = await deps.bucket.head(record.target);
  if (head?.versionId !== record.baseVersion) {
    return step(deps, id, "stale-check", {
      outcome: "stale",
      reason: `${record.target} is at version ${head?.versionId ?? "none"} now; the change was computed against ${record.baseVersion}`,
    });
  }
  return step(deps, id, "stale-check", { outcome: "current", reason: `${record.target} is still at ${record.baseVersion}` });
}

/**
 * Apply: writes the patched document as a new version, fenced with the lock's token through the
 * coordination context (the lease must be current, no later token may have written the
 * document, and S3 writes only over the version we checked). A retry that finds its own
 * version already current finishes the record instead of writing again.
 */
export async function applyStep(
  id: string,
  deps: StepDeps & { readonly bucket: SettingsBucket; readonly ledger: VersionLedger; readonly locks: DocumentLocks },
): Promise<StepResult<"applied" | "stale" | "fenced"> & { readonly toVersion?: string }> {
  const record = await load(deps.store, id);
  const lock = heldLock(record);
  const head = await deps.bucket.head(record.target);
  const now = deps.clock.now();
  const ours = head?.metadata.recommendationId === id && head.metadata.origin === "applied";
  let toVersion = ours ? head.versionId : undefined;
  if (!toVersion) {
    if (!head || head.versionId !== record.baseVersion) {
      return step(deps, id, "apply", {
        outcome: "stale",
        reason: `${record.target} moved to ${head?.versionId ?? "none"} before the write`,
      });
    }
    const { after } = await changeFor(deps.bucket, record);
    const written = await deps.locks.writeFenced(record.target, documentBytes(after), lock, head.etag, {
      origin: "applied",
      changedBy: record.decidedBy ?? record.submittedBy,
      recommendationId: id,
      fencingToken: lock.token,
    });
    if (written.outcome !== "written") return step(deps, id, "apply", written);
    toVersion = written.versionId;
  }
  await deps.ledger.record({
    document: record.target,
    versionId: toVersion,
    createdAt: now.toISOString(),
    origin: "applied",
    changedBy: record.decidedBy ?? record.submittedBy,
    recommendationId: id,
    fencingToken: lock.token,
    previousVersion: record.baseVersion,
  });
  await deps.store.apply(id, appliedPlan(toVersion, now));
  const result = await step(deps, id, "apply", {
    outcome: "applied",
    reason: `${record.target} version ${toVersion} written over ${record.baseVersion} with fencing token ${lock.token}`,
  });
  return { ...result, toVersion };
}

/** The agent types a runtime-settings patch concerns: the ones it names, or all for fleet-wide settings. */
export function agentTypesConcerned(record: Pick<Optimization, "patch">): AgentType[] {
  const named = new Set<AgentType>();
  for (const op of record.patch) {
    const [, group, type] = op.path.split("/");
    if (group !== "agentTypes") return [...AGENT_TYPES];
    if (type && (AGENT_TYPES as readonly string[]).includes(type)) named.add(type as AgentType);
  }
  return AGENT_TYPES.filter((type) => named.has(type));
}

/**
 * Verify: the stored version is exactly the patched document and passes the schema; then what
 * the change should move, against the version before — precision and recall on the labelled
 * sample for detection keywords, the affected types' task outcomes in the window after against
 * the window before for runtime settings (counted per minute: "before" is the whole minutes
 * before the apply minute, "after" runs from the apply minute to now).
 */
export async function verifyStep(
  id: string,
  deps: StepDeps & {
    readonly bucket: SettingsBucket;
    readonly figures: TaskFigures;
    readonly verificationWindowSeconds: number;
  },
): Promise<StepResult<"passed" | "failed">> {
  const record = await load(deps.store, id);
  if (!record.toVersion || !record.appliedAt) throw new PipelineStateError(id, "verify before apply");
  const { before, after } = await changeFor(deps.bucket, record);
  const stored = await deps.bucket.get(record.target, record.toVersion);
  const storedValue = stored ? parseDocument(stored.body) : undefined;
  const parses = storedValue?.ok === true && SETTINGS_DOCUMENTS[record.target].schema.safeParse(storedValue.value).success;
  const checks: VerificationCheck[] = [storedCheck(documentBytes(after), stored?.body, parses)];

  const how = SETTINGS_DOCUMENTS[record.target].verification;
  if (how === "labelled-sample") {
    checks.push(
      labelledSampleCheck(evaluateOnLabelledSample(before as KeywordConfig), evaluateOnLabelledSample(after as KeywordConfig)),
    );
  } else if (how === "task-metrics") {
    const window = deps.verificationWindowSeconds * 1_000;
    const applyMinute = Math.floor(Date.parse(record.appliedAt) / 60_000) * 60_000;
    const now = deps.clock.now();
    for (const agentType of agentTypesConcerned(record)) {
      const [was, is] = await Promise.all([
        deps.figures.outcomes(agentType, new Date(applyMinute - window), new Date(applyMinute - 1)),
        deps.figures.outcomes(agentType, new Date(applyMinute), now),
      ]);
      checks.push(taskOutcomesCheck(agentType, was, is));
    }
  }
  const passed = allPassed(checks);
  await deps.store.apply(id, verifiedPlan({ passed, windowSeconds: deps.verificationWindowSeconds, checks }, deps.clock.now()));
  const failed = checks.filter((check) => !check.passed);
  return step(deps, id, "verify", {
    outcome: passed ? "passed" : "failed",
    reason: passed ? checks.map((c) => c.detail).join("; ") : failed.map((c) => c.detail).join("; "),
  });
}

/**
 * Roll back: restores the bytes of the version before, as a new version, but only while the
 * current version is still the one this recommendation wrote (If-Match on it). Someone else's
 * newer version is left alone.
 */
export async function rollbackStep(
  id: string,
  deps: StepDeps & { readonly bucket: SettingsBucket; readonly ledger: VersionLedger; readonly locks: DocumentLocks },
): Promise<StepResult<"rolled_back" | "superseded"> & { readonly restoredVersion?: string }> {
  const record = await load(deps.store, id);
  if (!record.toVersion) throw new PipelineStateError(id, "roll back before apply");
  const lock = heldLock(record);
  const head = await deps.bucket.head(record.target);
  const now = deps.clock.now();
  let restored = head?.metadata.origin === "rolled_back" && head.metadata.recommendationId === id ? head.versionId : undefined;
  if (!restored) {
    if (!head || head.versionId !== record.toVersion) {
      return step(deps, id, "rollback", {
        outcome: "superseded",
        reason: `${record.target} is at ${head?.versionId ?? "none"}, not ${record.toVersion}: not ours to roll back`,
      });
    }
    const base = await baseVersionOf(deps.bucket, record);
    if (!base) throw new PipelineStateError(id, `version ${record.baseVersion} to restore is gone`);
    const written = await deps.locks.writeFenced(record.target, base.body, lock, head.etag, {
      origin: "rolled_back",
      changedBy: lockHolderOf(id),
      recommendationId: id,
      fencingToken: lock.token,
      restoredFrom: record.baseVersion,
    });
    if (written.outcome !== "written") return step(deps, id, "rollback", { outcome: "superseded", reason: written.reason });
    restored = written.versionId;
  }
  await deps.ledger.record({
    document: record.target,
    versionId: restored,
    createdAt: now.toISOString(),
    origin: "rolled_back",
    changedBy: lockHolderOf(id),
    recommendationId: id,
    fencingToken: lock.token,
    restoredFrom: record.baseVersion,
    previousVersion: record.toVersion,
  });
  await deps.store.apply(id, restoredPlan(restored, now));
  const result = await step(deps, id, "rollback", {
    outcome: "rolled_back",
    reason: `${record.target} version ${restored} restores the bytes of ${record.baseVersion}`,
  });
  return { ...result, restoredVersion: restored };
}

/** The counters a settled recommendation adds: its outcome, and its times to decision and to apply. */
export function countersOf(record: Optimization, outcome: OptimizationOutcome): Record<string, number> {
  const counters: Record<string, number> = { [`outcome_${outcome}`]: 1 };
  if (record.decidedAt && record.approvalRequestedAt && record.decision !== "expired") {
    counters.decided = 1;
    counters.decisionTimeSumMs = Math.max(0, Date.parse(record.decidedAt) - Date.parse(record.approvalRequestedAt));
  }
  if (outcome === "applied" && record.appliedAt) {
    counters.appliedTimed = 1;
    counters.applyTimeSumMs = Math.max(0, Date.parse(record.appliedAt) - Date.parse(record.createdAt));
  }
  return counters;
}

/** Record: the outcome, once, with the metrics it adds; a repeat finds it recorded and changes nothing. */
export async function recordStep(
  id: string,
  final: { readonly outcome: OptimizationOutcome; readonly reason: string },
  deps: StepDeps,
): Promise<StepResult<OptimizationOutcome>> {
  const record = await load(deps.store, id);
  if (record.completedAt) return { outcome: record.outcome ?? final.outcome, reason: record.reason ?? final.reason };
  const settled = await deps.store.settle(
    id,
    completedPlan(final.outcome, final.reason, deps.clock.now()),
    countersOf(record, final.outcome),
  );
  if (!settled) {
    const again = await load(deps.store, id);
    if (!again.completedAt) throw new PipelineStateError(id, "could not record its outcome");
  }
  return step(deps, id, "record", final);
}

/** Release: gives the document's lock back, if this recommendation took it. */
export async function releaseStep(
  id: string,
  deps: StepDeps & { readonly locks: DocumentLocks },
): Promise<StepResult<"released" | "nothing-held">> {
  const record = await load(deps.store, id);
  if (record.fencingToken === undefined) return { outcome: "nothing-held", reason: "the pipeline took no lock" };
  const lock = heldLock(record);
  await deps.locks.release(lock);
  return step(deps, id, "release", { outcome: "released", reason: `released ${lock.resource} (token ${lock.token})` });
}
