import * as z from "zod";
import { JOB_STATUSES, JOB_TYPES, JobStatus, JobType } from "#kernel/job-vocabulary";
import type { JobRecord } from "./job";

export const JobStatistics = z
  .object({
    /** Jobs the figures cover: the newest ones, up to the sample size. */
    sampled: z.number().int().min(0),
    byType: z.record(JobType, z.record(JobStatus, z.number().int().min(0))),
    byStatus: z.record(JobStatus, z.number().int().min(0)),
    /** Seconds from start to finish of the ended jobs that ran, by type. */
    durations: z.record(JobType, z.object({ count: z.number().int(), meanSeconds: z.number(), maxSeconds: z.number() })),
    /** Succeeded ÷ ended (succeeded, failed, cancelled), by type; absent when none ended. */
    successRate: z.record(JobType, z.number().min(0).max(1).nullable()),
    slotsInUse: z.number().int().min(0),
    maxConcurrentJobs: z.number().int().min(1),
  })
  .meta({ id: "JobStatistics" });
export type JobStatistics = z.infer<typeof JobStatistics>;

const zeros = () => Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;

/** Counts, durations and success rates of a sample of jobs. Pure. */
export function jobStatistics(jobs: readonly JobRecord[], slotsInUse: number, maxConcurrentJobs: number): JobStatistics {
  const byType = Object.fromEntries(JOB_TYPES.map((t) => [t, zeros()])) as Record<JobType, Record<JobStatus, number>>;
  const byStatus = zeros();
  const spans = Object.fromEntries(JOB_TYPES.map((t) => [t, [] as number[]])) as Record<JobType, number[]>;
  for (const job of jobs) {
    byType[job.jobType][job.status]++;
    byStatus[job.status]++;
    if (job.startedAt && job.finishedAt)
      spans[job.jobType].push((Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1_000);
  }
  const durations = Object.fromEntries(
    JOB_TYPES.map((t) => {
      const s = spans[t];
      return [
        t,
        { count: s.length, meanSeconds: s.length ? s.reduce((a, b) => a + b, 0) / s.length : 0, maxSeconds: Math.max(0, ...s) },
      ];
    }),
  ) as JobStatistics["durations"];
  const successRate = Object.fromEntries(
    JOB_TYPES.map((t) => {
      const c = byType[t];
      const ended = c.succeeded + c.failed + c.cancelled;
      return [t, ended === 0 ? null : c.succeeded / ended];
    }),
  ) as JobStatistics["successRate"];
  return { sampled: jobs.length, byType, byStatus, durations, successRate, slotsInUse, maxConcurrentJobs };
}
