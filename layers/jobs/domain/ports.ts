import type { FinalJobStatus, JobStatus, JobType } from "#kernel/job-vocabulary";
import type { JobProgress, JobRecord } from "./job";

/** A page of jobs, newest first. */
export interface JobPageResult {
  readonly items: JobRecord[];
  readonly nextCursor?: string;
}

/** How a job may end, and what it ends with. */
export interface JobEnding {
  readonly status: FinalJobStatus;
  readonly at: string;
  readonly reason?: string;
  readonly result?: Record<string, unknown>;
}

/**
 * Where jobs are kept, and the slots they hold. Every transition is one conditional write (or
 * transaction), so duplicate deliveries and racing writers cannot start a job twice, finish it
 * twice, or hold more slots than the limit.
 */
export interface JobStore {
  create(job: JobRecord): Promise<void>;
  get(jobId: string): Promise<JobRecord | undefined>;
  list(query: { type?: JobType; status?: JobStatus; limit: number; cursor?: string }): Promise<JobPageResult>;
  /** Queued jobs, oldest first: the order they start in. */
  queued(limit: number): Promise<JobRecord[]>;
  /** Running jobs (slot holders), for the dead-job check. */
  running(limit: number): Promise<JobRecord[]>;
  /** The newest `limit` jobs, for the statistics. */
  recent(limit: number): Promise<JobRecord[]>;
  /**
   * Takes a slot for a queued job and marks it running, in one transaction: false when every
   * slot is taken or the job is no longer queued (someone else started or cancelled it).
   */
  claim(jobId: string, maxRunning: number, at: string): Promise<"claimed" | "no-slot" | "not-queued">;
  /** Records the task that runs a job it claimed. */
  recordTask(jobId: string, taskArn: string): Promise<void>;
  /**
   * Ends a job that is `from`, freeing its slot when it held one (`running`): false when it
   * was not `from` any more (it already ended, or was started meanwhile).
   */
  finish(jobId: string, from: "queued" | "running", ending: JobEnding): Promise<boolean>;
  /** Stores a progress report of a running job whose sequence is newer than the stored one; false when the job is not running. */
  report(jobId: string, progress: JobProgress): Promise<boolean>;
  /** Stores a heartbeat of a running job; false when it is not running. */
  heartbeat(jobId: string, at: string): Promise<boolean>;
  /** Slots held now (for tests and the statistics). */
  slotsInUse(): Promise<number>;
}

/** Starts and stops the tasks jobs run in (ECS RunTask / StopTask). */
export interface JobTasks {
  /** Starts the task of a job; answers its ARN. */
  start(job: Pick<JobRecord, "jobId" | "jobType">): Promise<string>;
  stop(taskArn: string, reason: string): Promise<void>;
  /** Which of these tasks have stopped, with ECS's reason. */
  stopped(taskArns: readonly string[]): Promise<Map<string, string>>;
}

/** Where an artifact was written: its bucket, key and (the bucket is versioned) version. */
export interface ArtifactLocation {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
}

/** Where a job writes what it produced; answers where it is. */
export interface ArtifactStore {
  putJson(key: string, document: unknown): Promise<ArtifactLocation>;
  /** Writes text as it is (an export's JSON Lines part). */
  putText(key: string, body: string, contentType: string): Promise<ArtifactLocation>;
}
