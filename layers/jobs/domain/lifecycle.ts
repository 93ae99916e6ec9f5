import type { Caller } from "#shared/identity";
import type { Clock } from "#shared/clock";
import { NotFoundError } from "#shared/errors";
import { FINAL_JOB_STATUSES, type FinalJobStatus } from "#kernel/job-vocabulary";
import { JobNotCancellableError } from "./errors";
import type { JobRecord, SubmitJobRequest } from "./job";
import type { JobStore, JobTasks } from "./ports";

export interface LifecycleDeps {
  readonly store: JobStore;
  readonly clock: Clock;
  readonly newId?: () => string;
}

export const isFinal = (status: string): status is FinalJobStatus => (FINAL_JOB_STATUSES as readonly string[]).includes(status);

/** Stores a new job `queued`; the dispatcher starts it when a slot is free (the stream tells it). */
export async function submitJob(request: SubmitJobRequest, caller: Caller, deps: LifecycleDeps): Promise<JobRecord> {
  const job: JobRecord = {
    jobId: (deps.newId ?? (() => crypto.randomUUID()))(),
    jobType: request.type,
    status: "queued",
    parameters: request.parameters,
    createdBy: caller.username,
    createdAt: deps.clock.now().toISOString(),
  };
  await deps.store.create(job);
  return job;
}

export async function getJob(store: JobStore, jobId: string): Promise<JobRecord> {
  const job = await store.get(jobId);
  if (!job) throw new NotFoundError("job", jobId);
  return job;
}

export interface DispatchDeps extends LifecycleDeps {
  readonly tasks: JobTasks;
  readonly maxRunning: number;
}

export interface DispatchOutcome {
  readonly started: string[];
  /** Jobs whose task could not be started: failed with the reason, their slot freed. */
  readonly failed: string[];
}

/**
 * Starts queued jobs, oldest first, while slots are free. Each start is a claim (one
 * transaction: a slot taken and the job `queued → running`), then RunTask; a claim that loses
 * (the job was started or cancelled by someone else, a duplicate delivery) starts nothing, so
 * running this twice at once starts each job once and never holds more than `maxRunning` slots.
 *
 *   dispatcher A: claim(j1) ✓ → RunTask(j1)
 *   dispatcher B: claim(j1) ✗ not-queued → next
 *
 * A task that cannot be started fails its job and frees the slot at once; the loop goes on.
 */
export async function dispatchQueued(deps: DispatchDeps): Promise<DispatchOutcome> {
  const started: string[] = [];
  const failed: string[] = [];
  const free = deps.maxRunning - (await deps.store.slotsInUse());
  if (free <= 0) return { started, failed };
  // Read a few more than the free slots: some may be claimed by a racing dispatcher.
  for (const job of await deps.store.queued(free + 5)) {
    const claim = await deps.store.claim(job.jobId, deps.maxRunning, deps.clock.now().toISOString());
    if (claim === "no-slot") break;
    if (claim === "not-queued") continue;
    try {
      const taskArn = await deps.tasks.start(job);
      await deps.store.recordTask(job.jobId, taskArn);
      started.push(job.jobId);
    } catch (error) {
      await deps.store.finish(job.jobId, "running", {
        status: "failed",
        at: deps.clock.now().toISOString(),
        reason: `its task could not be started: ${error instanceof Error ? error.message : String(error)}`,
      });
      failed.push(job.jobId);
    }
  }
  return { started, failed };
}

/**
 * Cancels a queued job (it never starts) or a running one (its slot is freed in the same
 * write, then its task is stopped; the job process's own late writes are refused because the
 * job is no longer running). A job that already ended answers 409.
 */
export async function cancelJob(
  jobId: string,
  caller: Caller,
  reason: string | undefined,
  deps: LifecycleDeps & { readonly tasks: JobTasks },
): Promise<JobRecord> {
  const job = await getJob(deps.store, jobId);
  if (isFinal(job.status)) throw new JobNotCancellableError(jobId, job.status);
  const ending = {
    status: "cancelled" as const,
    at: deps.clock.now().toISOString(),
    reason: `cancelled by ${caller.username}${reason ? `: ${reason}` : ""}`,
  };
  const ended = await deps.store.finish(jobId, job.status === "queued" ? "queued" : "running", ending);
  if (!ended) {
    // It moved meanwhile (started, or ended): judge again on what it is now.
    const now = await getJob(deps.store, jobId);
    if (isFinal(now.status)) throw new JobNotCancellableError(jobId, now.status);
    if (!(await deps.store.finish(jobId, "running", ending))) throw new JobNotCancellableError(jobId, now.status);
  }
  const after = await getJob(deps.store, jobId);
  if (after.taskArn) await deps.tasks.stop(after.taskArn, ending.reason);
  return after;
}

export interface SweepDeps extends LifecycleDeps {
  readonly tasks: JobTasks;
  /** A running job with no heartbeat for this long is dead. */
  readonly heartbeatTimeoutSeconds: number;
  /** A running job that ran this long is stopped. */
  readonly jobTimeoutSeconds: number;
  /** Running jobs one check reads at most. */
  readonly maxJobs?: number;
}

export interface SweepOutcome {
  readonly failed: { jobId: string; reason: string }[];
}

const secondsSince = (iso: string | undefined, now: Date) => (iso ? (now.getTime() - Date.parse(iso)) / 1_000 : Infinity);

/**
 * The dead-job check, idempotent: every running job whose task stopped, whose heartbeat lapsed
 * or that ran past the timeout is failed with the reason (its slot freed in the same write) and
 * its task stopped. Run on a schedule and whenever a job task stops; running it twice fails a
 * job once (the second `finish` finds it no longer running).
 */
export async function failDeadJobs(deps: SweepDeps): Promise<SweepOutcome> {
  const now = deps.clock.now();
  const running = await deps.store.running(deps.maxJobs ?? 100);
  const withTasks = running.flatMap((job) => (job.taskArn ? [job.taskArn] : []));
  const stopped = withTasks.length > 0 ? await deps.tasks.stopped(withTasks) : new Map<string, string>();
  const failed: SweepOutcome["failed"] = [];
  for (const job of running) {
    const stopReason = job.taskArn ? stopped.get(job.taskArn) : undefined;
    const lastSign = job.heartbeatAt ?? job.startedAt;
    const reason =
      stopReason !== undefined
        ? `its task stopped before the job finished: ${stopReason}`
        : secondsSince(job.startedAt, now) > deps.jobTimeoutSeconds
          ? `it ran longer than the job timeout (${deps.jobTimeoutSeconds}s)`
          : secondsSince(lastSign, now) > deps.heartbeatTimeoutSeconds
            ? `no heartbeat for ${Math.round(secondsSince(lastSign, now))}s (the limit is ${deps.heartbeatTimeoutSeconds}s)`
            : undefined;
    if (reason === undefined) continue;
    if (await deps.store.finish(job.jobId, "running", { status: "failed", at: now.toISOString(), reason })) {
      failed.push({ jobId: job.jobId, reason });
      if (job.taskArn && stopReason === undefined) await deps.tasks.stop(job.taskArn, reason);
    }
  }
  return { failed };
}
