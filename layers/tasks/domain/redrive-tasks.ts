import * as z from "zod";
import type { Clock } from "#shared/clock";
import type { Caller } from "#shared/identity";
import { mayActOnTask } from "./task-access";
import type { TaskStore } from "./ports";
import { IllegalTransitionError, planTransition, type RetryPolicy } from "./task-state-machine";

/** The body of `POST /api/tasks/dead-letters/redrive`. */
export const RedriveRequest = z
  .object({ taskIds: z.array(z.string().min(1).max(128)).min(1).max(100) })
  .strict()
  .meta({ id: "RedriveRequest" });

export const RedriveOutcome = z.enum(["redriven", "not_dead_lettered", "not_found", "forbidden"]);
export type RedriveOutcome = z.infer<typeof RedriveOutcome>;

export const RedriveResponse = z
  .object({
    redriven: z.number().int(),
    results: z.array(z.object({ taskId: z.string(), outcome: RedriveOutcome, attempt: z.number().int().optional() })),
  })
  .meta({ id: "RedriveResponse" });

/**
 * Puts dead-lettered tasks back on their queues as a new attempt with a fresh budget of
 * retries, recording who asked, and reports what happened to each. A task someone else
 * submitted answers `forbidden` unless the caller is an admin.
 */
export async function redriveTasks(
  taskIds: readonly string[],
  caller: Caller,
  deps: { store: TaskStore; clock: Clock; policy: RetryPolicy },
): Promise<{ taskId: string; outcome: RedriveOutcome; attempt?: number }[]> {
  const results: { taskId: string; outcome: RedriveOutcome; attempt?: number }[] = [];
  for (const taskId of taskIds) {
    const task = await deps.store.get(taskId);
    if (!task) {
      results.push({ taskId, outcome: "not_found" });
      continue;
    }
    if (!mayActOnTask(caller, task)) {
      results.push({ taskId, outcome: "forbidden" });
      continue;
    }
    if (task.status !== "dead_lettered") {
      results.push({ taskId, outcome: "not_dead_lettered" });
      continue;
    }
    try {
      const plan = planTransition(
        { kind: "redrive", attempt: task.attempt, maxRetries: task.maxRetries, by: caller.username },
        { now: deps.clock.now(), policy: deps.policy },
      );
      const redriven = await deps.store.apply(taskId, plan);
      results.push({ taskId, outcome: "redriven", attempt: redriven.attempt });
    } catch (error) {
      if (!(error instanceof IllegalTransitionError)) throw error;
      results.push({ taskId, outcome: "not_dead_lettered" });
    }
  }
  return results;
}
