import { NotFoundError } from "#shared/errors";
import { httpRoute, json } from "#shared/http";
import { TERMINAL_STATUSES, taskEtag } from "#tasks/domain/task";
import { taskViewFor } from "#tasks/domain/task-access";
import { TASK_ROUTES } from "#tasks/published/routes";
import { taskStore } from "./wiring";

/** How long a client may reuse a task that can change no more (seed 004's response cache). */
const FINISHED_TASK_MAX_AGE_SECONDS = 300;

/** GET /api/tasks/{taskId} — with the task's version as its ETag, for If-None-Match and If-Match. */
export const handler = httpRoute(TASK_ROUTES.getTask, async ({ params, caller }) => {
  const task = await taskStore().get(params.taskId);
  if (!task) throw new NotFoundError("task", params.taskId);
  return json(200, taskViewFor(caller, task), {
    etag: taskEtag(task),
    ...(TERMINAL_STATUSES.has(task.status) ? { "cache-control": `private, max-age=${FINISHED_TASK_MAX_AGE_SECONDS}` } : {}),
  });
});
