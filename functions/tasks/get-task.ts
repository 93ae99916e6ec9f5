import { NotFoundError } from "#shared/errors";
import { httpRoute, json } from "#shared/http";
import { toTaskView } from "#tasks/domain/task";
import { TASK_ROUTES } from "#tasks/published/routes";
import { taskStore } from "./wiring";

/** GET /api/tasks/{taskId} */
export const handler = httpRoute(TASK_ROUTES.getTask, async ({ params }) => {
  const task = await taskStore().get(params.taskId);
  if (!task) throw new NotFoundError("task", params.taskId);
  return json(200, toTaskView(task));
});
