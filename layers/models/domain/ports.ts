import type { EventPublisher } from "#kernel/bus/domain-event";
import type { Clock } from "#shared/clock";
import type { ModelSummary, ModelVersion, ModelVersionsQuery } from "./model-version";
import type { VersionWrite } from "./transitions";

/** A model version by name and label. */
export interface VersionRef {
  readonly name: string;
  readonly version: string;
}

/** What registering a version came to. */
export type RegisterResult =
  /** Stored, with the number asked for. */
  | "registered"
  /** The job registered a version already (a redelivered event): nothing was written. */
  | "job-registered"
  /** Another registration took the number first: read the summary again and ask for the next. */
  | "number-taken";

/** One write of a promotion's outcome: the version's, the one it replaces (if any), and the document's pointer. */
export interface PromotionSettlement {
  readonly ref: VersionRef;
  readonly write: VersionWrite;
  /** Set when the version becomes the one in use: the one it replaces and is retired. */
  readonly replaces?: { readonly ref: VersionRef | undefined; readonly write: VersionWrite };
}

/** The registry's metadata: versions, per-name summaries, and the lookups that make writes idempotent. */
export interface ModelRegistryStore {
  /** The version a job registered, if it did. */
  registrationOf(jobId: string): Promise<VersionRef | undefined>;
  summary(name: string): Promise<ModelSummary | undefined>;
  /**
   * Stores `version` as number `version.number` of its model, in one transaction with the job's
   * registration and the summary — only if the job registered nothing yet and the model's latest
   * number is still `version.number - 1`.
   */
  register(version: ModelVersion): Promise<RegisterResult>;
  get(ref: VersionRef): Promise<ModelVersion | undefined>;
  listVersions(name: string, query: ModelVersionsQuery): Promise<{ items: ModelVersion[]; nextCursor?: string }>;
  listModels(): Promise<ModelSummary[]>;
  /** Applies the write and records which version the recommendation promotes, together; false when the write's conditions fail. */
  startPromotion(ref: VersionRef, write: VersionWrite, recommendationId: string): Promise<boolean>;
  /** The version a recommendation promotes, if the registry started it. */
  promotionOf(recommendationId: string): Promise<VersionRef | undefined>;
  /** The version the settings document holds now, as far as promotions went. */
  promotedFor(document: string): Promise<VersionRef | undefined>;
  /** All writes of a settlement, or none; false when a condition failed (a redelivery settled it already). */
  settle(settlement: PromotionSettlement, document: string): Promise<boolean>;
}

/** A source object in another context's bucket (a job's artifact). */
export interface SourceObject {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
}

/** The models bucket, and reading jobs' artifacts from theirs. */
export interface ModelArtifacts {
  /** The bytes of a job's artifact. */
  readSource(source: SourceObject): Promise<Uint8Array>;
  /** Writes a new object version under `key`. */
  put(key: string, body: Uint8Array): Promise<{ readonly versionId: string }>;
  /** The bytes of one stored version. */
  read(key: string, versionId: string): Promise<Uint8Array>;
  /** A presigned GET of one version, valid `expiresInSeconds`. */
  exportUrl(key: string, versionId: string, expiresInSeconds: number): Promise<string>;
}

/** The current version of the settings document promotion replaces. */
export interface CurrentDocument {
  currentVersion(): Promise<string>;
}

export interface RegistryDeps {
  readonly store: ModelRegistryStore;
  readonly artifacts: ModelArtifacts;
  readonly clock: Clock;
}

export interface PromotionDeps extends RegistryDeps {
  readonly document: CurrentDocument;
  readonly publisher: EventPublisher;
}
