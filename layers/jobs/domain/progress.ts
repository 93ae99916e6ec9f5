import type { Clock } from "#shared/clock";
import type { JobProgress } from "./job";

/** Where a job's progress reports go (the jobs table, whose stream relays them). Answers false when the job is no longer running. */
export type ProgressSink = (progress: JobProgress) => Promise<boolean>;

/** The job was cancelled or failed elsewhere while it ran: the job process stops working on it. */
export class JobNoLongerRunningError extends Error {
  constructor(readonly jobId: string) {
    super(`job ${jobId} is no longer running; stopping`);
    this.name = "JobNoLongerRunningError";
  }
}

/**
 * Numbers a job's progress reports (`sequence` grows by one per report), estimates the time
 * left from the pace so far, and holds back reports closer than `minIntervalMs` to the last
 * one unless they are forced (the first, the last, a step change), so a fast loop does not
 * write the table hundreds of times a second.
 */
export class ProgressReporter {
  private sequence = 0;
  private lastSentAt = -Infinity;
  private lastStep = "";
  private readonly startedAt: number;

  constructor(
    private readonly jobId: string,
    private readonly sink: ProgressSink,
    private readonly clock: Clock,
    private readonly minIntervalMs = 500,
  ) {
    this.startedAt = clock.now().getTime();
  }

  /** Reports `percent` done at `step`; throws JobNoLongerRunningError when the job was ended elsewhere. */
  async report(percent: number, step: string, options: { message?: string; force?: boolean } = {}): Promise<void> {
    const now = this.clock.now().getTime();
    const stepChanged = step.split(" ")[0] !== this.lastStep.split(" ")[0];
    if (!options.force && !stepChanged && now - this.lastSentAt < this.minIntervalMs) return;
    const elapsed = (now - this.startedAt) / 1_000;
    const clamped = Math.min(100, Math.max(0, Math.round(percent * 10) / 10));
    const etaSeconds = clamped > 0 && clamped < 100 ? Math.round((elapsed * (100 - clamped)) / clamped) : undefined;
    const progress: JobProgress = {
      sequence: this.sequence,
      percent: clamped,
      step,
      ...(options.message ? { message: options.message } : {}),
      ...(etaSeconds !== undefined ? { etaSeconds } : clamped === 100 ? { etaSeconds: 0 } : {}),
      reportedAt: new Date(now).toISOString(),
    };
    if (!(await this.sink(progress))) throw new JobNoLongerRunningError(this.jobId);
    this.sequence++;
    this.lastSentAt = now;
    this.lastStep = step;
  }

  /** Reports sent so far. */
  get sent(): number {
    return this.sequence;
  }
}
