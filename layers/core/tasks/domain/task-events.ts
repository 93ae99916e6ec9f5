import * as z from "zod";
import { AgentType } from "#core/agents/domain/agent-types";
import { type DomainEvent, EVENT_SOURCES } from "#core/shared/events";
import { Priority, type Task, TaskError, TaskStatus } from "./task";
import type { WorkMessage } from "./work-message";

export const TASK_UPDATED = "TaskUpdated";

/**
 * The `TaskUpdated` event detail: a task's new status and timings, without payload or result.
 * EventBridge does not keep order, so consumers order a task's updates by `version` (it grows
 * with every write) and ignore one older than what they have.
 */
export const TaskUpdated = z.object({
  taskId: z.string(),
  version: z.number().int(),
  type: z.string(),
  agentType: AgentType,
  priority: Priority,
  status: TaskStatus,
  previousStatus: TaskStatus.nullable(),
  attempt: z.number().int(),
  agentId: z.string().optional(),
  error: TaskError.optional(),
  submittedBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Milliseconds from queued to started, once started. */
  queueTimeMs: z.number().optional(),
  /** Milliseconds from started to finished, once finished. */
  executionTimeMs: z.number().optional(),
});
export type TaskUpdated = z.infer<typeof TaskUpdated>;

const elapsed = (from?: string, to?: string) => (from && to ? Math.max(0, Date.parse(to) - Date.parse(from)) : undefined);

/** The event a change to a task announces, or nothing when its status did not change. */
export function taskUpdatedEvent(previous: Task | undefined, current: Task): DomainEvent<TaskUpdated> | undefined {
  if (previous && previous.status === current.status && previous.attempt === current.attempt) return undefined;
  const queueTimeMs = elapsed(current.queuedAt, current.startedAt);
  const executionTimeMs = elapsed(current.startedAt, current.finishedAt);
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
      submittedBy: current.submittedBy,
      createdAt: current.createdAt,
      updatedAt: current.updatedAt,
      ...(current.agentId ? { agentId: current.agentId } : {}),
      ...(current.error ? { error: current.error } : {}),
      ...(queueTimeMs !== undefined ? { queueTimeMs } : {}),
      ...(executionTimeMs !== undefined ? { executionTimeMs } : {}),
    },
  };
}

/**
 * The work message a change calls for: one whenever a task enters `queued` for an attempt
 * (a new task, or a retry), never for any other change.
 */
export function dispatchFor(previous: Task | undefined, current: Task): WorkMessage | undefined {
  if (current.status !== "queued") return undefined;
  if (previous && previous.status === "queued" && previous.attempt === current.attempt) return undefined;
  return { taskId: current.taskId, attempt: current.attempt, agentType: current.agentType, priority: current.priority };
}
