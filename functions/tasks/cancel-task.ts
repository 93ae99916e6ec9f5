import { systemClock } from "#shared/clock";
import { httpRoute, json } from "#shared/http";
import { cancelTask } from "#tasks/domain/cancel-tasks";
import { taskEtag, toTaskView } from "#tasks/domain/task";
import { TASK_ROUTES } from "#tasks/published/routes";
import { retryPolicy, taskStore } from "./wiring";

/**
 * POST /api/tasks/{taskId}/cancel — a queued task never starts; a running one is aborted at its
 * next heartbeat; a finished one answers 409; with `If-Match`, one that changed since answers 412.
 */
export const handler = httpRoute(TASK_ROUTES.cancelTask, async ({ params, body, caller, ifMatch }) => {
  const task = await cancelTask(
    params.taskId,
    caller,
    body.reason,
    { store: taskStore(), clock: systemClock, policy: retryPolicy() },
    ifMatch,
  );
  return json(200, toTaskView(task), { etag: taskEtag(task) });
});
