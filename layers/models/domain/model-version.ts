import * as z from "zod";
import { ScorerFigures } from "#kernel/bus/job-events";
import { OptimizationOutcome } from "#kernel/bus/optimization";

/** A model's name: what a `scorer-training` job calls the scorer it tunes (`keyword-scorer`). */
export const ModelName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be 1 to 63 lower-case letters, digits and dashes, starting with a letter or digit");

/** A version label, `v1`, `v2`, …: the version's number in the order its model's versions were registered. */
export const VersionLabel = z.string().regex(/^v[1-9][0-9]{0,8}$/, "must be a version label such as v3");

/** `v3` for 3. */
export const labelOf = (number: number): string => `v${number}`;

/**
 * Where a version is. It is registered `candidate`; it becomes `promoted` when an optimization
 * put its artifact into the settings agents run on (and was verified), and `retired` when a later
 * promotion replaced it there. A retired version can be promoted again.
 */
export const MODEL_STATUSES = ["candidate", "promoted", "retired"] as const;
export const ModelStatus = z.enum(MODEL_STATUSES);
export type ModelStatus = z.infer<typeof ModelStatus>;

/** Where a version's artifact lives in the models bucket: an S3 object version, and a digest of its bytes. */
export const ArtifactLocation = z.object({
  key: z.string().min(1),
  versionId: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().min(1),
});
export type ArtifactLocation = z.infer<typeof ArtifactLocation>;

/** A promotion on its way through the optimization pipeline. */
export const PendingPromotion = z.object({
  recommendationId: z.string().min(1),
  /** The version of the settings document the promotion replaces. */
  baseVersion: z.string().min(1),
  requestedBy: z.string().min(1),
  requestedAt: z.iso.datetime(),
});
export type PendingPromotion = z.infer<typeof PendingPromotion>;

/** How the last promotion of a version ended. */
export const PromotionOutcome = z.object({
  recommendationId: z.string().min(1),
  outcome: OptimizationOutcome,
  reason: z.string(),
  completedAt: z.iso.datetime(),
});

/** The settings document a scorer model's artifact is: what promotion replaces. */
export const MODEL_DOCUMENT = "detection-keywords";

/**
 * One registered version of a model: where its artifact is, what produced it (the job, the
 * datasets), its figures (held-out, the split it never saw while tuning; training; the config it
 * started from), who asked for it, and where it stands.
 */
export const ModelVersion = z
  .object({
    name: ModelName,
    version: VersionLabel,
    /** The version's number: `version` is `v<number>`. */
    number: z.number().int().min(1),
    /**
     * The version of this model the training search started from (the promoted one agents ran on
     * when the job began); absent when it started from a config no version of this model produced.
     */
    parentVersion: z.string().optional(),
    jobId: z.string().min(1),
    datasets: z.array(z.string()),
    heldOut: ScorerFigures,
    training: ScorerFigures,
    baseline: ScorerFigures,
    candidatesTried: z.number().int(),
    /** The document the artifact is a version of. */
    document: z.literal(MODEL_DOCUMENT),
    artifact: ArtifactLocation,
    createdBy: z.string(),
    createdAt: z.iso.datetime(),
    status: ModelStatus,
    /** How many promotions of this version were started: the next one's id is derived from it. */
    promotionAttempts: z.number().int().min(0),
    promotion: PendingPromotion.optional(),
    lastPromotion: PromotionOutcome.optional(),
    promotedAt: z.iso.datetime().optional(),
    retiredAt: z.iso.datetime().optional(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "ModelVersion" });
export type ModelVersion = z.infer<typeof ModelVersion>;

/** One model: how many versions it has, the newest, and the one in use if any. */
export const ModelSummary = z.object({
  name: ModelName,
  versions: z.number().int().min(1),
  latestVersion: VersionLabel,
  /** The version whose artifact the settings agents run on hold, if one of this model's does. */
  promotedVersion: VersionLabel.optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type ModelSummary = z.infer<typeof ModelSummary>;

export const ModelList = z.object({ models: z.array(ModelSummary) }).meta({ id: "ModelList" });

export const ModelNameParams = z.object({ name: ModelName }).strict();
export const ModelVersionParams = z.object({ name: ModelName, version: VersionLabel }).strict();

export const ModelVersionsQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().min(1).max(2_048).optional(),
  })
  .strict();
export type ModelVersionsQuery = z.infer<typeof ModelVersionsQuery>;

export const ModelVersionPage = z
  .object({ items: z.array(ModelVersion), nextCursor: z.string().optional() })
  .meta({ id: "ModelVersionPage" });

/** `GET …/export`: a short-lived presigned GET of the artifact's exact S3 version. */
export const ModelExport = z
  .object({
    name: ModelName,
    version: VersionLabel,
    url: z.string().url(),
    expiresAt: z.iso.datetime(),
    sha256: z.string(),
    bytes: z.number().int(),
  })
  .meta({ id: "ModelExport" });
export type ModelExport = z.infer<typeof ModelExport>;

/** `POST …/promote`: the optimization the promotion goes through. */
export const PromotionView = z
  .object({
    name: ModelName,
    version: VersionLabel,
    recommendationId: z.string(),
    baseVersion: z.string(),
    requestedBy: z.string(),
    requestedAt: z.iso.datetime(),
    /** Where to follow it: `/api/optimizations/{recommendationId}`. */
    optimization: z.string(),
  })
  .meta({ id: "ModelPromotion" });
export type PromotionView = z.infer<typeof PromotionView>;
