import type { JobType } from "#kernel/job-vocabulary";
import type { Clock } from "#shared/clock";
import type { JobStore } from "./ports";
import { JobNoLongerRunningError, ProgressReporter } from "./progress";

/** What every job type's work is given besides its parameters. */
export interface JobRunContext {
  readonly progress: ProgressReporter;
  readonly clock: Clock;
  /** Waits, for pacing; a fake in tests. */
  readonly sleep: (ms: number) => Promise<void>;
}

/**
 * One job type's work: parse the stored parameters with the type's schema, do the work while
 * reporting progress, and answer the result the job ends with (small: it is stored in the job's
 * row and carried by `JobFinished`; bulky output goes to the artifacts bucket).
 */
export type JobRunner = (jobId: string, parameters: unknown, context: JobRunContext) => Promise<Record<string, unknown>>;

export interface RunJobDeps {
  readonly store: JobStore;
  readonly clock: Clock;
  /** Seconds between heartbeats while the job works. */
  readonly heartbeatSeconds: number;
  /** The work of every job type: a type without one does not compile. */
  readonly runners: Readonly<Record<JobType, JobRunner>>;
  readonly log: (line: string, fields?: Record<string, unknown>) => void;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

export type RunOutcome = "succeeded" | "failed" | "abandoned";

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * What a job task does: read its job (it must be `running`: the dispatcher claimed it), beat
 * its heart while it works, run its type's runner with progress, and end the job `succeeded`
 * with the result or `failed` with the error. When the job was ended elsewhere meanwhile
 * (cancelled, failed as dead) the work stops and nothing is written: `abandoned`.
 */
export async function runJob(jobId: string, deps: RunJobDeps): Promise<RunOutcome> {
  const job = await deps.store.get(jobId);
  if (!job || job.status !== "running") {
    deps.log("the job is not running; nothing to do", { status: job?.status });
    return "abandoned";
  }
  const sleep = deps.sleep ?? defaultSleep;
  const heart = setInterval(() => {
    void deps.store.heartbeat(jobId, deps.clock.now().toISOString()).catch((error: unknown) => {
      deps.log("heartbeat failed", { error: String(error) });
    });
  }, deps.heartbeatSeconds * 1_000);
  try {
    const progress = new ProgressReporter(jobId, (p) => deps.store.report(jobId, p), deps.clock);
    const result = await deps.runners[job.jobType](jobId, job.parameters, { progress, clock: deps.clock, sleep });
    const ended = await deps.store.finish(jobId, "running", {
      status: "succeeded",
      at: deps.clock.now().toISOString(),
      result,
    });
    deps.log(ended ? "job succeeded" : "job ended elsewhere before it could succeed", { reports: progress.sent });
    return ended ? "succeeded" : "abandoned";
  } catch (error) {
    if (error instanceof JobNoLongerRunningError) {
      deps.log("the job was ended elsewhere; stopping");
      return "abandoned";
    }
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    await deps.store.finish(jobId, "running", {
      status: "failed",
      at: deps.clock.now().toISOString(),
      reason: reason.slice(0, 2_000),
    });
    deps.log("job failed", { reason });
    return "failed";
  } finally {
    clearInterval(heart);
  }
}
