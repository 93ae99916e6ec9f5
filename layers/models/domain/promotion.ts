import { EVENT_SOURCES } from "#kernel/bus/domain-event";
import { type OptimizationCompleted, SETTINGS_CHANGE_PROPOSED, type SettingsChangeProposed } from "#kernel/bus/optimization";
import type { Caller } from "#shared/identity";
import { deterministicId } from "#shared/ids";
import { ModelAlreadyPromotedError, ModelVersionNotFoundError } from "./errors";
import { MODEL_DOCUMENT, type ModelVersion, type PendingPromotion, type PromotionView } from "./model-version";
import type { PromotionDeps, PromotionSettlement, RegistryDeps, VersionRef } from "./ports";
import { parseArtifact } from "./registration";
import { keepCandidate, promote, retire, startPromotion } from "./transitions";

/**
 * The recommendation id of a version's n-th promotion: the same call names the same
 * optimization (so a retried promote starts nothing twice), and a promotion after one that was
 * rejected or rolled back is a new optimization.
 */
export const promotionIdOf = (ref: VersionRef, attempt: number): string =>
  deterministicId("model-promotion", ref.name, ref.version, String(attempt));

/**
 * The JSON Patch a promotion is: one `replace` of the whole document (the pointer `""`) with the
 * artifact, so the document afterwards is exactly the model's, whatever the version before held.
 */
export const promotionPatch = (artifact: unknown): SettingsChangeProposed["patch"] => [
  { op: "replace", path: "", value: artifact },
];

/**
 * Replacing the whole detection config is not a tune: it asks for a person's decision in every
 * stage whose threshold is `medium` or lower, whatever the figures say.
 */
export const PROMOTION_RISK = "medium" as const;

const pct = (value: number) => `${(value * 100).toFixed(1)}%`;

/** What the optimization pipeline is asked to do for a promotion. */
export function proposalOf(version: ModelVersion, promotion: PendingPromotion, artifact: unknown): SettingsChangeProposed {
  const { heldOut, baseline } = version;
  return {
    recommendationId: promotion.recommendationId,
    document: MODEL_DOCUMENT,
    baseVersion: promotion.baseVersion,
    patch: promotionPatch(artifact),
    title: `Promote model ${version.name} ${version.version}`,
    description:
      `held-out F1 ${pct(heldOut.f1)} (precision ${pct(heldOut.precision)}, recall ${pct(heldOut.recall)}, ${heldOut.items} items) ` +
      `against ${pct(baseline.f1)} for the config it started from; trained by job ${version.jobId} on ${version.datasets.join(", ")}`,
    risk: PROMOTION_RISK,
    // The held-out F1 is the evidence: the better it held on items it never saw, the surer.
    confidence: heldOut.f1,
    proposedBy: { model: version.name, version: version.version },
    requestedBy: promotion.requestedBy,
    proposedAt: promotion.requestedAt,
  };
}

const viewOf = (version: ModelVersion, promotion: PendingPromotion): PromotionView => ({
  name: version.name,
  version: version.version,
  ...promotion,
  optimization: `/api/optimizations/${promotion.recommendationId}`,
});

async function propose(version: ModelVersion, promotion: PendingPromotion, deps: PromotionDeps): Promise<void> {
  const artifact = parseArtifact(version.jobId, await deps.artifacts.read(version.artifact.key, version.artifact.versionId));
  await deps.publisher.publish([
    { source: EVENT_SOURCES.models, detailType: SETTINGS_CHANGE_PROPOSED, detail: proposalOf(version, promotion, artifact) },
  ]);
}

/**
 * `POST /api/models/{name}/versions/{version}/promote`: asks the optimization pipeline to put the
 * version's artifact into the settings document agents run on, against its current version, so
 * the promotion is validated, approved by risk, applied under the document's lock, verified and
 * rolled back like any change. The version keeps the promotion as pending until the pipeline's
 * `OptimizationCompleted` settles it (`settlePromotion`).
 *
 *   promote ─ pending? ─ yes ─▶ propose it again (same id: the intake starts nothing twice) ─▶ it
 *             └ no ─▶ id = f(name, version, attempt) ─▶ pending := id if none and attempt unchanged
 *                                                        ├ ok ─▶ propose ─▶ it (created)
 *                                                        └ lost the race ─▶ the winner's
 *
 * A propose that fails after the pending write is repaired by the next promote call, which
 * proposes the same recommendation again.
 *
 * @example
 * const { promotion, created } = await promoteVersion({ name: "keyword-scorer", version: "v3" }, caller, deps);
 */
export async function promoteVersion(
  ref: VersionRef,
  caller: Caller,
  deps: PromotionDeps,
): Promise<{ readonly promotion: PromotionView; readonly created: boolean }> {
  const version = await deps.store.get(ref);
  if (!version) throw new ModelVersionNotFoundError(ref.name, ref.version);
  if (version.status === "promoted") throw new ModelAlreadyPromotedError(ref.name, ref.version);
  if (version.promotion) {
    await propose(version, version.promotion, deps);
    return { promotion: viewOf(version, version.promotion), created: false };
  }
  const now = deps.clock.now().toISOString();
  const promotion: PendingPromotion = {
    recommendationId: promotionIdOf(ref, version.promotionAttempts + 1),
    baseVersion: await deps.document.currentVersion(),
    requestedBy: caller.username,
    requestedAt: now,
  };
  if (!(await deps.store.startPromotion(ref, startPromotion(version, promotion, now), promotion.recommendationId))) {
    const winner = await deps.store.get(ref);
    if (winner?.promotion) return { promotion: viewOf(winner, winner.promotion), created: false };
    if (winner?.status === "promoted") throw new ModelAlreadyPromotedError(ref.name, ref.version);
    throw new Error(`the promotion of ${ref.name} ${ref.version} changed while it started; try again`);
  }
  await propose(version, promotion, deps);
  return { promotion: viewOf(version, promotion), created: true };
}

export type Settled =
  /** Not a promotion the registry started. */
  | { readonly outcome: "ignored" }
  /** A redelivered outcome: the version has no such promotion pending any more. */
  | { readonly outcome: "already-settled"; readonly ref: VersionRef }
  | { readonly outcome: "promoted"; readonly ref: VersionRef; readonly retired?: VersionRef }
  | { readonly outcome: "kept"; readonly ref: VersionRef };

/**
 * An optimization ended (`OptimizationCompleted`): if it was a promotion, the version follows
 * it. `applied` (verified and kept) makes the version `promoted` and retires the version the
 * document held before; any other outcome (rejected, expired, rolled back, invalid, stale, …)
 * leaves it as it was, with the outcome recorded. Idempotent: the writes are conditional on the
 * promotion still pending.
 */
export async function settlePromotion(
  done: OptimizationCompleted,
  deps: Pick<RegistryDeps, "store" | "clock">,
): Promise<Settled> {
  const ref = await deps.store.promotionOf(done.recommendationId);
  if (!ref) return { outcome: "ignored" };
  const version = await deps.store.get(ref);
  if (version?.promotion?.recommendationId !== done.recommendationId) return { outcome: "already-settled", ref };
  const at = deps.clock.now().toISOString();
  if (done.outcome !== "applied") {
    const settled = await deps.store.settle(
      { ref, write: keepCandidate(done.recommendationId, done.outcome, done.reason, at) },
      MODEL_DOCUMENT,
    );
    return settled ? { outcome: "kept", ref } : { outcome: "already-settled", ref };
  }
  const before = await deps.store.promotedFor(MODEL_DOCUMENT);
  const replaced = before && !(before.name === ref.name && before.version === ref.version) ? before : undefined;
  const settlement: PromotionSettlement = {
    ref,
    write: promote(done.recommendationId, done.reason, at),
    replaces: { ref: replaced, write: retire(at) },
  };
  if (!(await deps.store.settle(settlement, MODEL_DOCUMENT))) return { outcome: "already-settled", ref };
  return { outcome: "promoted", ref, ...(replaced ? { retired: replaced } : {}) };
}
