import * as z from "zod";

/**
 * The long-running jobs the back end runs on request (seed 002's training service, seed 004's
 * background tasks), each as a Fargate task of its own rather than on an agent's work queue:
 * they run for minutes, report progress, and are cancelled by stopping their task.
 */
export const JOB_TYPES = ["scorer-training", "metrics-analysis", "data-export", "file-validation"] as const;
export const JobType = z.enum(JOB_TYPES);
export type JobType = z.infer<typeof JobType>;

/** `queued` waits for a free slot (at most `maxConcurrentJobs` run at once); the last three are final. */
export const JOB_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
export const JobStatus = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof JobStatus>;

export const FINAL_JOB_STATUSES = ["succeeded", "failed", "cancelled"] as const satisfies readonly JobStatus[];
export const FinalJobStatus = z.enum(FINAL_JOB_STATUSES);
export type FinalJobStatus = z.infer<typeof FinalJobStatus>;
