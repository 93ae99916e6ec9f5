import * as z from "zod";
import { AgentType } from "../agent-catalog";
import { Priority, TaskError, TaskStatus } from "../task-vocabulary";

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
  capability: z.string().optional(),
  priority: Priority,
  status: TaskStatus,
  previousStatus: TaskStatus.nullable(),
  attempt: z.number().int(),
  attemptsAllowed: z.number().int(),
  agentId: z.string().optional(),
  error: TaskError.optional(),
  /** When a retry may start (a queued attempt after a failure). */
  availableAt: z.string().optional(),
  submittedBy: z.string(),
  /** Who asked for this change, when a person did: the canceller of a cancel, the redriver of a redrive. */
  actor: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Milliseconds from queued to started, once started. */
  queueTimeMs: z.number().optional(),
  /** Milliseconds from started to finished, once finished. */
  executionTimeMs: z.number().optional(),
});
export type TaskUpdated = z.infer<typeof TaskUpdated>;
