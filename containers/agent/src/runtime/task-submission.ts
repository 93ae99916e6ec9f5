import { SubmitterEnvironment, systemCaller, type SystemSubmitter, systemSubmitter } from "#tasks/published/task-submitter";
import type { SpecialistContext } from "./specialist";

/**
 * Submits follow-up tasks as the agent's type: every agent of a type submits as the same
 * caller, so an idempotency key names one task whichever agent submits it.
 */
export function submitterFor(context: SpecialistContext): SystemSubmitter {
  const env = SubmitterEnvironment.read(context.env);
  return systemSubmitter(context.db, systemCaller(context.agentType), {
    tasksTable: env.TASKS_TABLE,
    statsTable: env.TASK_STATS_TABLE,
    maxQueueDepth: env.MAX_QUEUE_DEPTH,
    queuedTtlSeconds: env.QUEUED_TTL_SECONDS,
    schedulingStrategy: env.SCHEDULING_STRATEGY,
  });
}
