import { systemClock } from "#shared/clock";
import { httpRoute, json } from "#shared/http";
import { redriveTasks } from "#tasks/domain/redrive-tasks";
import { TASK_ROUTES } from "#tasks/published/routes";
import { retryPolicy, taskStore } from "./wiring";

/** POST /api/tasks/dead-letters/redrive — re-queues the chosen dead-lettered tasks with fresh retries. */
export const handler = httpRoute(TASK_ROUTES.redriveDeadLetters, async ({ body, caller }) => {
  const results = await redriveTasks([...new Set(body.taskIds)], caller, {
    store: taskStore(),
    clock: systemClock,
    policy: retryPolicy(),
  });
  return json(200, { redriven: results.filter((r) => r.outcome === "redriven").length, results });
});
