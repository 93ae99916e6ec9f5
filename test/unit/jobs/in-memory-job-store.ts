import type { JobProgress, JobRecord } from "#jobs/domain/job";
import type { JobEnding, JobPageResult, JobStore, JobTasks } from "#jobs/domain/ports";

/** The JobStore's semantics over a map: each method checks and writes in one synchronous step, as a conditional write does. */
export class InMemoryJobStore implements JobStore {
  readonly jobs = new Map<string, JobRecord>();
  slots = 0;
  /** Yields to other callers between reading and writing, as a network round trip would. */
  private readonly tick = () => new Promise<void>((resolve) => setImmediate(resolve));

  async create(job: JobRecord) {
    await this.tick();
    if (this.jobs.has(job.jobId)) throw new Error("exists");
    this.jobs.set(job.jobId, job);
  }
  async get(jobId: string) {
    await this.tick();
    return this.jobs.get(jobId);
  }
  async list(query: { type?: string; status?: string; limit: number; cursor?: string }): Promise<JobPageResult> {
    const all = [...this.jobs.values()]
      .filter((j) => (!query.type || j.jobType === query.type) && (!query.status || j.status === query.status))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const start = query.cursor ? Number(query.cursor) : 0;
    const items = all.slice(start, start + query.limit);
    return { items, ...(start + query.limit < all.length ? { nextCursor: String(start + query.limit) } : {}) };
  }
  async queued(limit: number) {
    await this.tick();
    return [...this.jobs.values()]
      .filter((j) => j.status === "queued")
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .slice(0, limit);
  }
  async running(limit: number) {
    return [...this.jobs.values()].filter((j) => j.status === "running").slice(0, limit);
  }
  async recent(limit: number) {
    return (await this.list({ limit })).items;
  }
  async claim(jobId: string, maxRunning: number, at: string) {
    await this.tick();
    const job = this.jobs.get(jobId);
    if (!job || job.status !== "queued") return "not-queued" as const;
    if (this.slots >= maxRunning) return "no-slot" as const;
    this.slots++;
    this.jobs.set(jobId, { ...job, status: "running", startedAt: at, heartbeatAt: at });
    return "claimed" as const;
  }
  async recordTask(jobId: string, taskArn: string) {
    const job = this.jobs.get(jobId);
    if (job) this.jobs.set(jobId, { ...job, taskArn });
  }
  async finish(jobId: string, from: "queued" | "running", ending: JobEnding) {
    await this.tick();
    const job = this.jobs.get(jobId);
    if (!job || job.status !== from) return false;
    if (from === "running") this.slots--;
    this.jobs.set(jobId, {
      ...job,
      status: ending.status,
      finishedAt: ending.at,
      ...(ending.reason ? { reason: ending.reason } : {}),
      ...(ending.result ? { result: ending.result } : {}),
    });
    return true;
  }
  async report(jobId: string, progress: JobProgress) {
    const job = this.jobs.get(jobId);
    if (!job || job.status !== "running") return false;
    if ((job.progress?.sequence ?? -1) < progress.sequence)
      this.jobs.set(jobId, { ...job, progress, heartbeatAt: progress.reportedAt });
    return true;
  }
  async heartbeat(jobId: string, at: string) {
    const job = this.jobs.get(jobId);
    if (!job || job.status !== "running") return false;
    this.jobs.set(jobId, { ...job, heartbeatAt: at });
    return true;
  }
  async slotsInUse() {
    return this.slots;
  }
}

/** Tasks that start at once; `failNext` makes the next start fail. */
export class FakeJobTasks implements JobTasks {
  readonly started: string[] = [];
  readonly stoppedTasks = new Map<string, string>();
  failNext = false;
  async start(job: { jobId: string }) {
    if (this.failNext) {
      this.failNext = false;
      throw new Error("no capacity");
    }
    this.started.push(job.jobId);
    return `arn:aws:ecs:us-east-1:000000000000:task/jobs/${job.jobId}`;
  }
  async stop(taskArn: string, reason: string) {
    this.stoppedTasks.set(taskArn, reason);
  }
  async stopped(taskArns: readonly string[]) {
    return new Map(taskArns.flatMap((arn) => (this.stoppedTasks.has(arn) ? [[arn, this.stoppedTasks.get(arn) as string]] : [])));
  }
}
