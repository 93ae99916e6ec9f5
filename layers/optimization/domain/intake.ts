import type { Recommendation, SettingsChangeProposed } from "#kernel/bus/optimization";
import type { Clock } from "#shared/clock";
import type { Caller } from "#shared/identity";
import { deterministicId, fingerprint, newId } from "#shared/ids";
import { changeOf, parseDocument } from "./documents";
import { IdempotencyConflictError, UnprocessableChangeError } from "./errors";
import { JsonPatch } from "./json-patch";
import type { Optimization, SubmitOptimizationRequest } from "./optimization";
import type { OptimizationStore, PipelineControl, SettingsBucket } from "./ports";
import { reviewerChange } from "./reviewer-change";
import { SettingsName } from "./settings-catalog";

export interface IntakeDeps {
  readonly store: OptimizationStore;
  readonly bucket: SettingsBucket;
  readonly control: PipelineControl;
  readonly clock: Clock;
}

/** Reviewer proposals carry no confidence when they predate it: neither sure nor unsure. */
export const DEFAULT_CONFIDENCE = 0.5;

/**
 * Checks a change against the version it names before anything is stored, so the caller hears
 * at once what is wrong: 422 naming the version, the operation that does not apply (by its
 * index in the patch), or the schema problems of the patched document.
 */
async function checkChange(request: SubmitOptimizationRequest, bucket: SettingsBucket): Promise<void> {
  const base = await bucket.get(request.document, request.baseVersion);
  if (!base) {
    throw new UnprocessableChangeError("UnknownVersion", `${request.document} has no version ${request.baseVersion}`, [
      { field: "baseVersion", message: `is not a version of ${request.document}` },
    ]);
  }
  const parsed = parseDocument(base.body);
  if (!parsed.ok) throw new Error(`version ${request.baseVersion} of ${request.document} is not JSON: ${parsed.message}`);
  const change = changeOf(request.document, parsed.value, request.patch);
  if (!change.applies) {
    throw new UnprocessableChangeError(
      "PatchDoesNotApply",
      `operation ${change.opIndex} of the patch (${change.op.op} ${change.op.path}) does not apply to ${request.document} version ${request.baseVersion}: ${change.message}`,
      [{ field: `patch.${change.opIndex}`, message: `${change.op.op} ${change.op.path}: ${change.message}` }],
    );
  }
  if (change.problems.length > 0) {
    throw new UnprocessableChangeError(
      "InvalidDocument",
      `the patched ${request.document} would be invalid: ${change.problems.join("; ")}`,
      change.problems.map((problem) => ({ field: "patch", message: `the patched document is invalid at ${problem}` })),
    );
  }
}

/** Starts a recommendation's pipeline; starting one that runs (or ran) already is not an error. */
const start = (control: PipelineControl, id: string) => control.start(id);

/**
 * `POST /api/optimizations`: checks the change, stores the recommendation as `received` and
 * starts its pipeline (execution name = recommendation id). With an idempotency key a repeat
 * of the same request answers the first recommendation (and makes sure its pipeline runs); the
 * same key with another request is refused.
 *
 * @example
 * const { record, created } = await submitOptimization(body, caller, deps);
 */
export async function submitOptimization(
  request: SubmitOptimizationRequest,
  caller: Caller,
  deps: IntakeDeps,
): Promise<{ readonly record: Optimization; readonly created: boolean }> {
  const { idempotencyKey, ...content } = request;
  const requestFingerprint = idempotencyKey ? fingerprint(content) : undefined;
  const recommendationId = idempotencyKey ? deterministicId("optimization", caller.sub, idempotencyKey) : newId();
  if (idempotencyKey) {
    const earlier = await deps.store.get(recommendationId);
    if (earlier) {
      if (earlier.requestFingerprint !== requestFingerprint) throw new IdempotencyConflictError(idempotencyKey);
      await start(deps.control, recommendationId);
      return { record: earlier, created: false };
    }
  }
  await checkChange(request, deps.bucket);
  const now = deps.clock.now().toISOString();
  const record: Optimization = {
    recommendationId,
    source: "api",
    submittedBy: caller.username,
    type: content.type,
    severity: content.severity,
    title: content.title,
    description: content.description,
    expectedBenefits: content.expectedBenefits,
    confidence: content.confidence,
    target: content.document,
    baseVersion: content.baseVersion,
    patch: content.patch,
    ...(requestFingerprint ? { requestFingerprint } : {}),
    status: "received",
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  const created = await deps.store.create(record);
  if (!created) {
    // Two requests with the same key at once: the other stored first; answer with what it stored.
    const stored = await deps.store.get(recommendationId);
    if (!stored || stored.requestFingerprint !== requestFingerprint) throw new IdempotencyConflictError(idempotencyKey ?? "");
    return { record: stored, created: false };
  }
  await start(deps.control, recommendationId);
  return { record, created: true };
}

/**
 * A reviewer's `OptimizationRecommended`: mapped onto the settings document it concerns and
 * taken through the same pipeline. The change is computed against the version the reviewer
 * read (else the current one); a proposal that no longer fits the document is not refused
 * here — the pipeline's validation records it as `invalid`, with the reason, like any other.
 * A redelivered event finds its recommendation stored and only makes sure the pipeline runs.
 */
export async function intakeRecommendation(
  recommendation: Recommendation,
  deps: IntakeDeps,
): Promise<{ readonly recommendationId: string; readonly created: boolean }> {
  const change = reviewerChange(recommendation);
  const baseVersion = recommendation.settingsVersion ?? (await deps.bucket.head(change.target))?.versionId;
  if (!baseVersion) throw new Error(`${change.target} does not exist: the settings bucket was never seeded`);
  const now = deps.clock.now().toISOString();
  const id = recommendation.recommendationId;
  const created = await deps.store.create({
    recommendationId: id,
    source: "agent",
    submittedBy: recommendation.proposedBy.agentId,
    type: change.type,
    severity: recommendation.risk,
    title: change.title,
    description: recommendation.rationale,
    expectedBenefits: [recommendation.rationale],
    confidence: recommendation.confidence ?? DEFAULT_CONFIDENCE,
    target: change.target,
    baseVersion,
    patch: change.patch,
    reviewer: {
      agentId: recommendation.proposedBy.agentId,
      agentType: recommendation.proposedBy.agentType,
      ...(recommendation.agentType ? { concerns: recommendation.agentType } : {}),
      setting: recommendation.setting,
      currentValue: recommendation.currentValue,
      proposedValue: recommendation.proposedValue,
      evidence: recommendation.evidence,
    },
    status: "received",
    createdAt: now,
    updatedAt: now,
    version: 1,
  });
  await start(deps.control, id);
  return { recommendationId: id, created };
}

/** A `SettingsChangeProposed` that names no document of the catalog, or whose patch is not RFC 6902. */
export class MalformedProposalError extends Error {
  constructor(
    readonly recommendationId: string,
    readonly problems: readonly string[],
  ) {
    super(`settings change ${recommendationId} is malformed: ${problems.join("; ")}`);
    this.name = "MalformedProposalError";
  }
}

/**
 * Another context's `SettingsChangeProposed` (a model's promotion): stored under the id the
 * proposer chose and taken through the same pipeline as `POST /api/optimizations`. Like a
 * reviewer's proposal, a change that does not fit the document is not refused here: the
 * pipeline's validation records it as `invalid`, with the reason, and the proposer hears it in
 * `OptimizationCompleted`. A redelivered proposal finds its recommendation stored and only makes
 * sure the pipeline runs. A proposal that is not even well-formed (no such document, not a
 * patch) throws, so it lands in the intake's failure queue rather than vanish.
 */
export async function intakeSettingsChange(
  proposal: SettingsChangeProposed,
  deps: Pick<IntakeDeps, "store" | "control" | "clock">,
): Promise<{ readonly recommendationId: string; readonly created: boolean }> {
  const id = proposal.recommendationId;
  const target = SettingsName.safeParse(proposal.document);
  const patch = JsonPatch.safeParse(proposal.patch);
  if (!target.success || !patch.success) {
    throw new MalformedProposalError(id, [
      ...(target.success ? [] : [`document ${proposal.document} is not a settings document`]),
      ...(patch.success ? [] : patch.error.issues.map((issue) => `patch.${issue.path.join(".")}: ${issue.message}`)),
    ]);
  }
  const now = deps.clock.now().toISOString();
  const created = await deps.store.create({
    recommendationId: id,
    source: "model",
    submittedBy: proposal.requestedBy,
    type: "accuracy",
    severity: proposal.risk,
    title: proposal.title,
    description: proposal.description,
    expectedBenefits: [proposal.description],
    confidence: proposal.confidence,
    target: target.data,
    baseVersion: proposal.baseVersion,
    patch: patch.data,
    model: { name: proposal.proposedBy.model, version: proposal.proposedBy.version },
    status: "received",
    createdAt: now,
    updatedAt: now,
    version: 1,
  });
  await start(deps.control, id);
  return { recommendationId: id, created };
}
