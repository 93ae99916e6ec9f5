import * as z from "zod";
import { distinct } from "#shared/distinct";
import { JobProgressed } from "#kernel/bus/job-events";
import { JOB_STATUSES, JOB_TYPES, JobStatus, JobType } from "#kernel/job-vocabulary";
import { FIXTURE_DATASETS } from "#detection/published/datasets";
import { DataExportParameters, EXPORT_TABLES } from "./data-export";
import { FileValidationParameters } from "./file-validation";
import { MetricsAnalysisParameters } from "./metrics-analysis";

/**
 * A dataset a job reads: `fixture:<name>` names a labelled feed shipped in `fixtures/feeds/`,
 * `file:<fileId>` an uploaded one (resolved through the `DatasetSource` port).
 */
export const DatasetRef = z
  .string()
  .regex(/^(fixture|file):[A-Za-z0-9._-]{1,128}$/, "is fixture:<name> or file:<fileId>")
  .refine(
    (ref) => !ref.startsWith("fixture:") || (FIXTURE_DATASETS as readonly string[]).includes(ref.slice("fixture:".length)),
    `names no shipped dataset (${FIXTURE_DATASETS.map((name) => `fixture:${name}`).join(", ")})`,
  )
  .meta({ examples: ["fixture:tge-news"] });
export type DatasetRef = z.infer<typeof DatasetRef>;

/** What `scorer-training` is asked: the datasets, the seed, how hard to search and how much to hold out. */
export const ScorerTrainingParameters = z
  .object({
    datasets: z
      .array(DatasetRef)
      .min(1)
      .max(10)
      .refine((refs) => distinct(refs), "names a dataset twice"),
    /** Fixes the split and the search: the same seed on the same data gives the same result. @default 1 */
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(1),
    /** Candidate configs tried. @default 60 */
    candidates: z.number().int().min(1).max(2_000).default(60),
    /** Fraction of each label's items kept out of tuning, to measure on. @default 0.3 */
    heldOutFraction: z.number().min(0.1).max(0.5).default(0.3),
    /** The registered model the tuned document is named after. @default "keyword-scorer" */
    modelName: z
      .string()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "is lower-case words joined by hyphens")
      .max(64)
      .default("keyword-scorer"),
    /**
     * Waits this long after each progress report, so a short search can be watched (a demo, a
     * test that cancels a running job). @default 0
     */
    paceMillis: z.number().int().min(0).max(10_000).default(0),
  })
  .strict();
export type ScorerTrainingParameters = z.infer<typeof ScorerTrainingParameters>;

/** `POST /api/jobs`: a type and its parameters, checked per type. */
export const SubmitJobRequest = z
  .discriminatedUnion(
    "type",
    [
      z.object({ type: z.literal("scorer-training"), parameters: ScorerTrainingParameters }).strict(),
      z
        .object({ type: z.literal("metrics-analysis"), parameters: MetricsAnalysisParameters.default({ windowMinutes: 60 }) })
        .strict(),
      z
        .object({ type: z.literal("data-export"), parameters: DataExportParameters.default({ tables: [...EXPORT_TABLES] }) })
        .strict(),
      z.object({ type: z.literal("file-validation"), parameters: FileValidationParameters }).strict(),
    ],
    { error: () => `must be one of ${JOB_TYPES.join(", ")}` },
  )
  .meta({ id: "SubmitJobRequest" });
export type SubmitJobRequest = z.infer<typeof SubmitJobRequest>;
export type JobParameters = SubmitJobRequest["parameters"];

/** The last progress a job reported. */
export const JobProgress = JobProgressed.omit({ jobId: true, jobType: true });
export type JobProgress = z.infer<typeof JobProgress>;

/** One job as stored: what was asked, where it is, and how it ended. */
export const JobRecord = z.object({
  jobId: z.uuid(),
  jobType: JobType,
  status: JobStatus,
  parameters: z.record(z.string(), z.unknown()),
  createdBy: z.string().min(1),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().optional(),
  finishedAt: z.iso.datetime().optional(),
  /** The job process's last sign of life. */
  heartbeatAt: z.iso.datetime().optional(),
  /** The ECS task that runs it, once started. */
  taskArn: z.string().min(1).optional(),
  progress: JobProgress.optional(),
  result: z.record(z.string(), z.unknown()).optional(),
  /** Why it failed, or who cancelled it. */
  reason: z.string().max(2_000).optional(),
});
export type JobRecord = z.infer<typeof JobRecord>;

/** A job as the API shows it: the record, and where its task's logs are. */
export const JobView = JobRecord.extend({
  /** The task's log stream, once started. */
  logs: z.object({ logGroup: z.string(), logStream: z.string(), url: z.url().optional() }).optional(),
}).meta({ id: "JobView" });
export type JobView = z.infer<typeof JobView>;

export const JobIdParams = z.object({ jobId: z.uuid() }).strict();

export const JobListQuery = z
  .object({
    type: JobType.optional(),
    status: z.enum(JOB_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().min(1).max(2_048).optional(),
  })
  .strict();
export type JobListQuery = z.infer<typeof JobListQuery>;

export const JobPage = z
  .object({ items: z.array(JobRecord.omit({ parameters: true, result: true })), nextCursor: z.string().optional() })
  .meta({ id: "JobPage" });

export const CancelJobRequest = z
  .object({ reason: z.string().min(1).max(500).optional() })
  .strict()
  .meta({ id: "CancelJobRequest" });

/** The stream prefix of the job container's logs (`awslogs-stream-prefix`). */
export const JOB_LOG_STREAM_PREFIX = "job";

/** A job with where its task logs: ECS names the stream `<prefix>/<container>/<task id>`. */
export function jobView(job: JobRecord, logGroup: string, region?: string): JobView {
  if (!job.taskArn) return job;
  const logStream = `${JOB_LOG_STREAM_PREFIX}/job/${job.taskArn.split("/").pop() ?? ""}`;
  const url = region
    ? `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${encodeURIComponent(logGroup)}/log-events/${encodeURIComponent(logStream)}`
    : undefined;
  return { ...job, logs: { logGroup, logStream, ...(url ? { url } : {}) } };
}
