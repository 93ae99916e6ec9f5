import * as z from "zod";
import { FinalJobStatus, JobType } from "../job-vocabulary";

export const JOB_PROGRESSED = "JobProgressed";

/**
 * The `JobProgressed` detail (the dashboard's `job_progress` on topic `jobs`): how far a running
 * job is. `sequence` grows with every report of one job, so a subscriber can drop one that
 * arrives after a later one.
 */
export const JobProgressed = z.object({
  jobId: z.string().min(1),
  jobType: JobType,
  sequence: z.number().int().min(0),
  percent: z.number().min(0).max(100),
  /** The step the job is in, for example `loading datasets` or `searching 40 of 120`. */
  step: z.string().min(1).max(200),
  message: z.string().max(1_000).optional(),
  /** Seconds the job expects to run still; absent when it cannot tell. */
  etaSeconds: z.number().min(0).optional(),
  reportedAt: z.iso.datetime(),
});
export type JobProgressed = z.infer<typeof JobProgressed>;

/** Precision, recall and F1 of a scorer on one set of labelled items. */
export const ScorerFigures = z.object({
  items: z.number().int().min(0),
  precision: z.number().min(0).max(1),
  recall: z.number().min(0).max(1),
  f1: z.number().min(0).max(1),
});
export type ScorerFigures = z.infer<typeof ScorerFigures>;

/**
 * What a succeeded `scorer-training` job produced: the tuned `detection-keywords` document (the
 * artifact, a JSON document in the jobs' artifact bucket), the datasets it was tuned on, and its
 * figures on the training items and on the held-out items it never saw while tuning. The model
 * registry registers it as a model version.
 */
export const ScorerTrainingResult = z.object({
  modelName: z.string().min(1),
  /**
   * The `detection-keywords` version the search started from (the one agents ran on when the
   * job began): its S3 version id and the config's own `version`. The registry finds the parent
   * model version from the latter (`trainingJobOf`).
   */
  startedFrom: z.object({ settingsVersion: z.string().min(1), configVersion: z.string().min(1) }),
  artifact: z.object({ bucket: z.string().min(1), key: z.string().min(1), versionId: z.string().min(1).optional() }),
  /** The datasets tuned on: `fixture:<name>` for a shipped labelled feed, `file:<fileId>` for an upload. */
  datasets: z.array(z.string().min(1)).min(1),
  training: ScorerFigures,
  heldOut: ScorerFigures,
  /** Figures of the starting config on the same held-out items, so the gain is plain. */
  baseline: ScorerFigures,
  candidatesTried: z.number().int().min(1),
});
export type ScorerTrainingResult = z.infer<typeof ScorerTrainingResult>;

const JOB_ID_SUFFIX = /-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/**
 * The `version` a tuned config carries: the model's name and the job that tuned it. Once
 * promoted, it is what agents (and the next training job) run on, so the registry can tell which
 * model version a later search started from.
 */
export const trainedConfigVersion = (modelName: string, jobId: string): string => `${modelName}-${jobId}`;

/** The model name and job of a config `trainedConfigVersion` named; undefined for any other (the shipped config's, a hand edit's). */
export function trainingJobOf(configVersion: string): { modelName: string; jobId: string } | undefined {
  const match = JOB_ID_SUFFIX.exec(configVersion);
  if (!match?.[1]) return undefined;
  const modelName = configVersion.slice(0, match.index);
  return modelName ? { modelName, jobId: match[1] } : undefined;
}

/** The one line every job type's result but `scorer-training`'s starts with: what the job found or did, for a person. */
export const JobSummary = z.object({ summary: z.string().min(1).max(500) });
export type JobSummary = z.infer<typeof JobSummary>;

export const JOB_FINISHED = "JobFinished";

/**
 * The `JobFinished` detail (the dashboard's `job_result` on topic `jobs`): a job reached a final
 * status, once. `result` is the job type's own result (a `ScorerTrainingResult` for
 * `scorer-training`); `reason` says why a job failed or who cancelled it.
 */
export const JobFinished = z.object({
  jobId: z.string().min(1),
  jobType: JobType,
  status: FinalJobStatus,
  reason: z.string().max(2_000).optional(),
  result: z.record(z.string(), z.unknown()).optional(),
  createdBy: z.string().min(1),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().optional(),
  finishedAt: z.iso.datetime(),
});
export type JobFinished = z.infer<typeof JobFinished>;
