import type { UpdatePlan } from "#shared/update-plan";
import type { Optimization, OptimizationListQuery, PipelineStep } from "./optimization";
import type { SettingsName } from "./settings-catalog";

/** How a version of a settings document came to be. */
export type VersionOrigin = "seed" | "applied" | "rolled_back";

/** What is recorded beside every version of a settings document (S3 object metadata). */
export interface VersionMetadata {
  readonly origin: VersionOrigin;
  /** A user name, an agent id, or `deploy` for seeded versions. */
  readonly changedBy: string;
  readonly recommendationId?: string;
  /** The lock's fencing token the write was made under. */
  readonly fencingToken?: number;
  /** For a rollback: the version whose bytes it restores. */
  readonly restoredFrom?: string;
}

/** A version's identity without its bytes. */
export interface VersionInfo {
  readonly versionId: string;
  readonly etag: string;
  readonly lastModified: string;
  readonly metadata: VersionMetadata;
}

export interface StoredVersion extends VersionInfo {
  readonly body: Uint8Array;
}

/** How a write is guarded: only over the version with this ETag, or only when there is none yet. */
export type WriteCondition = { readonly ifMatch: string } | { readonly ifAbsent: true };

/** The versioned settings bucket. */
export interface SettingsBucket {
  /** The current version, or undefined when the document does not exist. */
  head(name: SettingsName): Promise<VersionInfo | undefined>;
  /** A version (the current one without `versionId`), or undefined when there is no such version. */
  get(name: SettingsName, versionId?: string): Promise<StoredVersion | undefined>;
  /** Writes a new version when `condition` holds; `undefined` when it does not. */
  put(
    name: SettingsName,
    body: Uint8Array,
    condition: WriteCondition,
    metadata: VersionMetadata,
  ): Promise<{ readonly versionId: string; readonly etag: string } | undefined>;
}

/** One version of a document, as the ledger keeps it (who changed it, through which optimization). */
export interface LedgerEntry extends VersionMetadata {
  readonly document: SettingsName;
  readonly versionId: string;
  readonly createdAt: string;
  /** The version it replaced, if any. */
  readonly previousVersion?: string;
}

/**
 * The history of every document, and its fence: writes under a lock carry its fencing token,
 * and a token lower than one already used for the document is refused, so a holder whose lease
 * lapsed (and whose lock was granted again) can no longer write.
 */
export interface VersionLedger {
  /** Claims the next write of `name` for `token`; false when a higher token was claimed before. */
  fence(name: SettingsName, token: number): Promise<boolean>;
  /** Records a version; recording the same version again changes nothing. */
  record(entry: LedgerEntry): Promise<void>;
  /** Newest first. */
  history(name: SettingsName, limit: number, cursor?: string): Promise<{ items: LedgerEntry[]; nextCursor?: string }>;
}

/** Counters a recommendation adds when it is settled (seed 000's optimization metrics). */
export type MetricCounters = Readonly<Record<string, number>>;

/** Recommendations and the steps the pipeline took for each. */
export interface OptimizationStore {
  /** Stores a new recommendation; false when its id exists. */
  create(record: Optimization): Promise<boolean>;
  get(recommendationId: string): Promise<Optimization | undefined>;
  /** One conditional write; the current record when the plan's conditions do not hold. */
  apply(
    recommendationId: string,
    plan: UpdatePlan,
  ): Promise<
    { readonly applied: true; readonly record: Optimization } | { readonly applied: false; readonly current?: Optimization }
  >;
  /** `plan` and the metric counters in one transaction, so a settled recommendation is counted exactly once. */
  settle(recommendationId: string, plan: UpdatePlan, counters: MetricCounters): Promise<boolean>;
  /** Marks the record `pending` and keeps the pipeline's task token beside it, in one transaction. */
  awaitDecision(recommendationId: string, plan: UpdatePlan, token: string, tokenExpiresAt: string): Promise<boolean>;
  /** The task token waiting for a decision, taken out (it is used once). */
  takeToken(recommendationId: string): Promise<string | undefined>;
  addStep(recommendationId: string, step: PipelineStep): Promise<void>;
  steps(recommendationId: string): Promise<PipelineStep[]>;
  list(query: OptimizationListQuery): Promise<{ items: Optimization[]; nextCursor?: string }>;
  counters(): Promise<MetricCounters>;
}

/** The coordination locks the pipeline takes on the documents it changes. */
export interface DocumentLocks {
  /** An exclusive lease on `resource` for `holder`, or who holds it now. */
  acquire(
    resource: string,
    holder: string,
    ttlSeconds: number,
  ): Promise<{ readonly acquired: true; readonly fencingToken: number } | { readonly acquired: false; readonly heldBy: string }>;
  /** Gives the lease up (a lease already lost or released is no error). */
  release(resource: string, holder: string, fencingToken: number): Promise<void>;
}

/** The decision a task token resumes the pipeline with. */
export interface DecisionOutput {
  readonly decision: "approved" | "rejected";
  readonly decidedBy: string;
}

/** The running pipelines (Step Functions). */
export interface PipelineControl {
  /** Starts the pipeline of a recommendation; its execution name is the recommendation id. */
  start(recommendationId: string): Promise<"started" | "already-started">;
  /** Resumes a pipeline waiting for approval; "gone" when its token timed out or was used. */
  resume(token: string, output: DecisionOutput): Promise<"resumed" | "gone">;
}
