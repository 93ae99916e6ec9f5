import * as z from "zod";
import { AgentType } from "#kernel/agent-catalog";
import type { Clock } from "#shared/clock";
import { entityTags, PreconditionFailedError } from "#shared/conditional-requests";
import { ConflictError, ForbiddenError, NotFoundError } from "#shared/errors";
import type { Caller } from "#shared/identity";
import type { TaskFilter, TaskQuery, TaskStore } from "./ports";
import { FINISHED_STATUSES, type Task, taskEtag, versionOfEtag } from "./task";
import { IllegalTransitionError, planTransition, type RetryPolicy } from "./task-state-machine";
import { requireActOnTask, requireFilterCancel } from "./task-access";
import { Priority } from "#kernel/task-vocabulary";

export interface CancelDeps {
  readonly store: TaskStore;
  readonly clock: Clock;
  readonly policy: RetryPolicy;
}

/** 409: the task has finished; there is nothing to cancel. */
export class TaskNotCancellableError extends ConflictError {
  constructor(task: Pick<Task, "taskId" | "status">) {
    super("TaskNotCancellable", `task ${task.taskId} is ${task.status}; only queued or running tasks can be cancelled`);
    this.name = "TaskNotCancellableError";
  }
}

/**
 * Cancels a task. A queued task will never start (its claim is refused); a running one is
 * aborted by its agent at the next heartbeat, and its late result refused. Only its submitter or
 * an admin may: the submitter is read first, and never changes, so the conditional write that
 * follows cannot cancel a task the check did not see.
 *
 * @throws NotFoundError, ForbiddenError, TaskNotCancellableError
 */
export async function cancelTask(
  taskId: string,
  caller: Caller,
  reason: string | undefined,
  deps: CancelDeps,
  ifMatch?: string,
): Promise<Task> {
  const expected = expectedVersion(ifMatch, taskId);
  const current = await deps.store.get(taskId);
  if (!current) throw new NotFoundError("task", taskId);
  requireActOnTask(caller, current, "cancel");
  const plan = planTransition(
    { kind: "cancel", by: caller.username, ...(reason ? { reason } : {}) },
    { now: deps.clock.now(), policy: deps.policy },
  );
  try {
    // The version condition rides in the same conditional write: no change slips in between.
    return await deps.store.apply(
      taskId,
      expected === undefined ? plan : { ...plan, expect: { ...plan.expect, version: expected } },
    );
  } catch (error) {
    if (!(error instanceof IllegalTransitionError)) throw error;
    if (!error.current) throw new NotFoundError("task", taskId);
    if (expected !== undefined && error.current.version !== expected) {
      throw new PreconditionFailedError(`task ${taskId}`, taskEtag({ taskId, version: error.current.version }));
    }
    throw new TaskNotCancellableError({ taskId, status: error.current.status });
  }
}

/**
 * The version an `If-Match` header names for a task, if it names one (`*` or no header: none).
 * @throws PreconditionFailedError for tags that are not this task's
 */
function expectedVersion(ifMatch: string | undefined, taskId: string): number | undefined {
  const tags = entityTags(ifMatch);
  if (tags === undefined || tags === "*") return undefined;
  const versions = tags.flatMap((tag) => {
    const version = versionOfEtag(tag, taskId);
    return version === undefined ? [] : [version];
  });
  // Several tags name several acceptable versions; one conditional write can check only one.
  if (versions.length !== 1) throw new PreconditionFailedError(`task ${taskId}`, "a version this tag does not name");
  return versions[0];
}

/** The body of `POST /api/tasks/{taskId}/cancel` (optional). */
export const CancelTaskRequest = z
  .object({ reason: z.string().min(1).max(500).optional() })
  .strict()
  .meta({ id: "CancelTaskRequest" });

export const CancelOutcome = z.enum(["cancelled", "not_cancellable", "not_found", "forbidden"]);
export type CancelOutcome = z.infer<typeof CancelOutcome>;

/** The most tasks one bulk cancel touches; `more` says whether matching tasks remain. */
export const BULK_CANCEL_LIMIT = 500;

/** The body of `POST /api/tasks/cancel`: a filter or a list of ids (an empty filter would cancel everything). */
export const BulkCancelRequest = z
  .object({
    filter: z
      .object({
        status: z.enum(["queued", "running"]).optional(),
        agentType: AgentType.optional(),
        priority: Priority.optional(),
      })
      .strict()
      .refine((f) => Object.keys(f).length > 0, "name at least one of status, agentType, priority")
      .optional(),
    taskIds: z.array(z.string().min(1).max(128)).min(1).max(100).optional(),
    reason: z.string().min(1).max(500).optional(),
    limit: z.number().int().min(1).max(BULK_CANCEL_LIMIT).default(100),
  })
  .strict()
  .refine((b) => (b.filter === undefined) !== (b.taskIds === undefined), {
    message: "give filter or taskIds, not both",
    path: ["filter"],
  })
  .meta({ id: "BulkCancelRequest" });

export const BulkCancelResponse = z
  .object({
    cancelled: z.number().int(),
    /** More matching tasks remain beyond `limit`. */
    more: z.boolean(),
    results: z.array(z.object({ taskId: z.string(), outcome: CancelOutcome, status: z.string().optional() })),
  })
  .meta({ id: "BulkCancelResponse" });

/**
 * Cancels every queued or running task that matches `filter` (or the listed ids), up to
 * `limit`, and reports what happened to each. A filter is an admin's (it reaches anyone's
 * tasks); by id, an operator's own tasks are cancelled and anyone else's answer `forbidden`.
 */
export async function cancelTasks(
  selection: { filter?: TaskFilter; taskIds?: readonly string[]; reason?: string; limit: number },
  caller: Caller,
  deps: CancelDeps & { query: TaskQuery },
): Promise<{ results: { taskId: string; outcome: CancelOutcome; status?: string }[]; more: boolean }> {
  if (selection.filter) requireFilterCancel(caller);
  const cancelOne = async (taskId: string) => {
    try {
      const task = await cancelTask(taskId, caller, selection.reason, deps);
      return { taskId, outcome: "cancelled" as const, status: task.status };
    } catch (error) {
      if (error instanceof NotFoundError) return { taskId, outcome: "not_found" as const };
      if (error instanceof TaskNotCancellableError) return { taskId, outcome: "not_cancellable" as const };
      if (error instanceof ForbiddenError) return { taskId, outcome: "forbidden" as const };
      throw error;
    }
  };
  if (selection.taskIds) {
    const results = [];
    for (const taskId of selection.taskIds.slice(0, selection.limit)) results.push(await cancelOne(taskId));
    return { results, more: selection.taskIds.length > selection.limit };
  }
  const statuses = selection.filter?.status ? [selection.filter.status] : (["queued", "running"] as const);
  const results: { taskId: string; outcome: CancelOutcome; status?: string }[] = [];
  let more = false;
  for (const status of statuses) {
    if (FINISHED_STATUSES.has(status)) continue;
    let cursor: string | undefined;
    do {
      const page = await deps.query.list(
        { ...selection.filter, status },
        { limit: Math.min(100, selection.limit - results.length), cursor },
      );
      for (const task of page.items) results.push(await cancelOne(task.taskId));
      cursor = page.nextCursor;
      if (results.length >= selection.limit) {
        more = cursor !== undefined;
        break;
      }
    } while (cursor);
    if (results.length >= selection.limit) break;
  }
  return { results, more };
}
