import * as z from "zod";
import { dispatchQueued, failDeadJobs } from "#jobs/domain/lifecycle";
import { instrumented } from "#shared/instrumented";
import { logger } from "#shared/powertools";
import { clock, maxConcurrentJobs, store, sweepLimits, tasks } from "./wiring";

/** An `ECS Task State Change` of a job task (from the rule on AWS; from the local runner, which stands in for it). */
const TaskStopped = z.object({ "detail-type": z.literal("ECS Task State Change"), detail: z.object({ taskArn: z.string() }) });

/**
 * The dead-job check, on a schedule and whenever a job task stops: fails every running job
 * whose task stopped, whose heartbeat lapsed or that ran past its timeout (freeing its slot),
 * then starts queued jobs in the freed slots. Idempotent: a job is failed once, however often
 * this runs.
 */
export const handler = instrumented(
  async (event: unknown) => {
    const deps = { store: store(), tasks: tasks(), clock };
    const swept = await failDeadJobs({ ...deps, ...sweepLimits() });
    const dispatched = await dispatchQueued({ ...deps, maxRunning: maxConcurrentJobs() });
    const trigger = TaskStopped.safeParse(event).success ? "task-stopped" : "schedule";
    if (swept.failed.length + dispatched.started.length > 0) logger.info("job check", { trigger, ...swept, ...dispatched });
    return { failed: swept.failed.length, started: dispatched.started.length };
  },
  (result) => ({ ...result }),
);
