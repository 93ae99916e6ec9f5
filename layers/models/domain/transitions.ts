import { type ModelStatus, ModelVersion, type PendingPromotion } from "./model-version";

/**
 * A conditional write to one model version, as a plan (the shape of the task transitions): the
 * statuses it may leave, the facts that must still hold, what it sets and removes. The DynamoDB
 * store turns it into one conditional update inside its transaction; the in-memory store applies
 * it with `applyVersionWrite` after `versionWriteHolds`, so both refuse the same writes.
 */
export interface VersionWrite {
  readonly kind: "start-promotion" | "promote" | "keep-candidate" | "retire";
  readonly from: readonly ModelStatus[];
  /** The pending promotion must be this one (`null`: there must be none). */
  readonly pending?: string | null;
  /** `promotionAttempts` must still be this. */
  readonly attempts?: number;
  readonly set: Partial<ModelVersion>;
  readonly remove?: readonly ("promotion" | "retiredAt")[];
}

/** Whether a stored version meets the write's conditions. */
export function versionWriteHolds(version: ModelVersion | undefined, write: VersionWrite): boolean {
  if (!version || !write.from.includes(version.status)) return false;
  if (write.pending === null && version.promotion !== undefined) return false;
  if (typeof write.pending === "string" && version.promotion?.recommendationId !== write.pending) return false;
  return write.attempts === undefined || version.promotionAttempts === write.attempts;
}

/** The version after the write (the caller checked `versionWriteHolds`). */
export function applyVersionWrite(version: ModelVersion, write: VersionWrite): ModelVersion {
  const removed = new Set<string>(write.remove ?? []);
  return ModelVersion.parse(
    Object.fromEntries(Object.entries({ ...version, ...write.set }).filter(([field]) => !removed.has(field))),
  );
}

/**
 * Starting a promotion: only a version that is not in use and has none on the way, and only
 * once per attempt, so two promote calls at once start one optimization.
 */
export const startPromotion = (version: ModelVersion, promotion: PendingPromotion, at: string): VersionWrite => ({
  kind: "start-promotion",
  from: ["candidate", "retired"],
  pending: null,
  attempts: version.promotionAttempts,
  set: { promotion, promotionAttempts: version.promotionAttempts + 1, updatedAt: at },
});

/** The optimization applied the version's artifact (and verification kept it): it is the one in use. */
export const promote = (recommendationId: string, reason: string, at: string): VersionWrite => ({
  kind: "promote",
  from: ["candidate", "retired"],
  pending: recommendationId,
  set: {
    status: "promoted",
    promotedAt: at,
    lastPromotion: { recommendationId, outcome: "applied", reason, completedAt: at },
    updatedAt: at,
  },
  remove: ["promotion", "retiredAt"],
});

/** The optimization ended any other way (rejected, rolled back, invalid, …): the version stays what it was. */
export const keepCandidate = (
  recommendationId: string,
  outcome: NonNullable<ModelVersion["lastPromotion"]>["outcome"],
  reason: string,
  at: string,
): VersionWrite => ({
  kind: "keep-candidate",
  from: ["candidate", "retired"],
  pending: recommendationId,
  set: { lastPromotion: { recommendationId, outcome, reason, completedAt: at }, updatedAt: at },
  remove: ["promotion"],
});

/** A later promotion replaced this version in the settings. */
export const retire = (at: string): VersionWrite => ({
  kind: "retire",
  from: ["promoted"],
  set: { status: "retired", retiredAt: at, updatedAt: at },
});
