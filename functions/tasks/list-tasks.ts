import { httpRoute, json } from "#shared/http";
import { TASK_ROUTES } from "#tasks/published/routes";
import { taskQuery } from "./wiring";

/** GET /api/tasks?status&agentType&priority&sort&order&limit&cursor — task summaries, newest first unless sorted otherwise. */
export const handler = httpRoute(TASK_ROUTES.listTasks, async ({ query }) => {
  const { limit, cursor, sort, order, ...filter } = query;
  return json(200, await taskQuery().list(filter, { limit, sort: { by: sort, order }, ...(cursor ? { cursor } : {}) }));
});
