import { systemClock } from "#shared/clock";
import { httpRoute, json } from "#shared/http";
import { cancelTasks } from "#tasks/domain/cancel-tasks";
import { TASK_ROUTES } from "#tasks/published/routes";
import { retryPolicy, taskQuery, taskStore } from "./wiring";

/** POST /api/tasks/cancel — cancels queued and running tasks by filter or by id; a result per task. */
export const handler = httpRoute(TASK_ROUTES.cancelTasks, async ({ body, caller }) => {
  const { results, more } = await cancelTasks(body, caller, {
    store: taskStore(),
    query: taskQuery(),
    clock: systemClock,
    policy: retryPolicy(),
  });
  return json(200, { cancelled: results.filter((r) => r.outcome === "cancelled").length, more, results });
});
