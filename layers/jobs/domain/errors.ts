import { ConflictError } from "#shared/errors";

/** A job that already ended cannot be cancelled (409). */
export class JobNotCancellableError extends ConflictError {
  constructor(jobId: string, status: string) {
    super("JobNotCancellable", `job ${jobId} is ${status}; only a queued or running job can be cancelled`);
    this.name = "JobNotCancellableError";
  }
}
