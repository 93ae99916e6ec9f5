import type { DomainEvent } from "#kernel/bus/domain-event";
import { EVENT_SOURCES } from "#kernel/bus/domain-event";
import { JOB_FINISHED, JOB_PROGRESSED, type JobFinished, type JobProgressed } from "#kernel/bus/job-events";
import type { JobRecord } from "./job";
import { isFinal } from "./lifecycle";

/**
 * What one change of a job row announces (the table's stream is the outbox, ADR 0004): a newer
 * progress report → `JobProgressed`; the move into a final status → `JobFinished`. A job can
 * move into a final status once (every finish is conditional on the status before), so
 * `JobFinished` is announced once per job; a redelivered stream record announces it again with
 * the same content, which subscribers drop by `jobId`.
 */
export function jobEvents(before: JobRecord | undefined, after: JobRecord): DomainEvent[] {
  const events: DomainEvent[] = [];
  const progress = after.progress;
  if (progress && progress.sequence > (before?.progress?.sequence ?? -1)) {
    const detail: JobProgressed = { jobId: after.jobId, jobType: after.jobType, ...progress };
    events.push({ source: EVENT_SOURCES.jobs, detailType: JOB_PROGRESSED, detail });
  }
  if (isFinal(after.status) && !(before && isFinal(before.status))) {
    const detail: JobFinished = {
      jobId: after.jobId,
      jobType: after.jobType,
      status: after.status,
      ...(after.reason ? { reason: after.reason } : {}),
      ...(after.result ? { result: after.result } : {}),
      createdBy: after.createdBy,
      createdAt: after.createdAt,
      ...(after.startedAt ? { startedAt: after.startedAt } : {}),
      finishedAt: after.finishedAt ?? after.createdAt,
    };
    events.push({ source: EVENT_SOURCES.jobs, detailType: JOB_FINISHED, detail });
  }
  return events;
}

/** Whether a change may have freed a slot or queued a job, so the dispatcher should look. */
export const wakesDispatcher = (before: JobRecord | undefined, after: JobRecord): boolean =>
  (after.status === "queued" && before === undefined) || (isFinal(after.status) && before?.status === "running");
