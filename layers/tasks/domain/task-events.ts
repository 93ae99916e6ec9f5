import { type DomainEvent, EVENT_SOURCES } from "#kernel/bus/domain-event";
import { SYSTEM_ALERT, type SystemAlert } from "#kernel/bus/system-alert";
import { TASK_UPDATED, type TaskUpdated } from "#kernel/bus/task-updated";
import type { Task } from "./task";
import type { WorkMessage } from "./work-message";

const elapsed = (from?: string, to?: string) => (from && to ? Math.max(0, Date.parse(to) - Date.parse(from)) : undefined);

/** The person whose action made this change, when one did. */
function actorOf(previous: Task | undefined, current: Task): string | undefined {
  if (current.status === "cancelled") return current.cancelledBy;
  if (previous?.status === "dead_lettered" && current.status === "queued") return current.redrivenBy;
  return undefined;
}

/** The event a change to a task announces, or nothing when its status did not change. */
export function taskUpdatedEvent(previous: Task | undefined, current: Task): DomainEvent<TaskUpdated> | undefined {
  if (previous && previous.status === current.status && previous.attempt === current.attempt) return undefined;
  const queueTimeMs = elapsed(current.queuedAt, current.startedAt);
  const executionTimeMs = elapsed(current.startedAt, current.finishedAt);
  const actor = actorOf(previous, current);
  return {
    source: EVENT_SOURCES.tasks,
    detailType: TASK_UPDATED,
    detail: {
      taskId: current.taskId,
      version: current.version,
      type: current.type,
      agentType: current.agentType,
      priority: current.priority,
      status: current.status,
      previousStatus: previous?.status ?? null,
      attempt: current.attempt,
      attemptsAllowed: current.attemptsAllowed,
      submittedBy: current.submittedBy,
      createdAt: current.createdAt,
      updatedAt: current.updatedAt,
      ...(actor ? { actor } : {}),
      ...(current.capability ? { capability: current.capability } : {}),
      ...(current.agentId ? { agentId: current.agentId } : {}),
      ...(current.error ? { error: current.error } : {}),
      ...(current.status === "queued" && current.availableAt ? { availableAt: current.availableAt } : {}),
      ...(queueTimeMs !== undefined ? { queueTimeMs } : {}),
      ...(executionTimeMs !== undefined ? { executionTimeMs } : {}),
    },
  };
}

/** SQS delays a message by 15 minutes at most. */
export const MAX_DELAY_SECONDS = 900;

/** Seconds from `now` until `at`, clamped to what SQS can delay. */
export function delayUntil(at: string | undefined, now: Date): number {
  if (!at) return 0;
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil((Date.parse(at) - now.getTime()) / 1_000)));
}

/**
 * The work message a change calls for: one whenever a task enters `queued` for an attempt (a
 * new task, a retry, a redrive), delayed until the attempt is available; never for any other
 * change.
 */
export function dispatchFor(
  previous: Task | undefined,
  current: Task,
  now: Date,
): { message: WorkMessage; delaySeconds: number } | undefined {
  if (current.status !== "queued") return undefined;
  if (previous && previous.status === "queued" && previous.attempt === current.attempt) return undefined;
  return {
    message: { taskId: current.taskId, attempt: current.attempt, agentType: current.agentType, priority: current.priority },
    delaySeconds: delayUntil(current.availableAt, now),
  };
}

/** The alert a change calls for: a task that ran out of attempts (or whose messages kept failing). */
export function systemAlertFor(previous: Task | undefined, current: Task): DomainEvent<SystemAlert> | undefined {
  if (current.status !== "dead_lettered" || previous?.status === "dead_lettered") return undefined;
  return {
    source: EVENT_SOURCES.tasks,
    detailType: SYSTEM_ALERT,
    detail: {
      severity: "warning",
      source: "tasks",
      title: `Task dead-lettered after attempt ${current.attempt}`,
      message: `${current.type} task ${current.taskId} on ${current.agentType} was dead-lettered: ${current.error?.message ?? "no error recorded"}`,
      resource: { taskId: current.taskId, agentType: current.agentType, priority: current.priority },
      raisedAt: current.updatedAt,
    },
  };
}
