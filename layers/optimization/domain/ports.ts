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

/** The history of every document: who changed it, through which optimization, under which fencing token. */
export interface VersionLedger {
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

/** A lease the pipeline holds on a document (the coordination context's lease, by reference). */
export interface HeldLock {
  readonly resource: string;
  readonly leaseId: string;
  /** The fencing token: greater than every token granted on the resource before. */
  readonly token: number;
}

/** How a fenced write ended. */
export type FencedWrite =
  | { readonly outcome: "written"; readonly versionId: string; readonly etag: string }
  /** The document is not at the version the write was based on. */
  | { readonly outcome: "stale"; readonly reason: string }
  /** The lease is no longer current, or a later token wrote the document. */
  | { readonly outcome: "fenced"; readonly reason: string };

/** The coordination locks the pipeline takes on the documents it changes, and the writes fenced by them. */
export interface DocumentLocks {
  /**
   * An exclusive lease on `resource` for `holder`, or who is in the way. A repeated request with
   * the same `requestKey` gets the same lease back.
   */
  acquire(
    resource: string,
    holder: string,
    requestKey: string,
    ttlSeconds: number,
  ): Promise<{ readonly acquired: true; readonly lock: HeldLock } | { readonly acquired: false; readonly heldBy: string }>;
  /** Gives the lease up (one already lost or released is no error). */
  release(lock: HeldLock): Promise<void>;
  /** A new version of `name`, written only over the version `basedOn` (an ETag) and only while `lock` is current. */
  writeFenced(
    name: SettingsName,
    body: Uint8Array,
    lock: HeldLock,
    basedOn: string,
    metadata: VersionMetadata,
  ): Promise<FencedWrite>;
}

/** The decision a task token resumes the pipeline with (the approval state's result, which the machine branches on). */
export interface DecisionOutput {
  readonly outcome: "approved" | "rejected";
  readonly decidedBy: string;
  readonly reason: string;
}

/** The running pipelines (Step Functions). */
export interface PipelineControl {
  /** Starts the pipeline of a recommendation; its execution name is the recommendation id. */
  start(recommendationId: string): Promise<"started" | "already-started">;
  /** Resumes a pipeline waiting for approval; "gone" when its token timed out or was used. */
  resume(token: string, output: DecisionOutput): Promise<"resumed" | "gone">;
}
