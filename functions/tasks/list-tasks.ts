import { httpRoute, json } from "#shared/http";
import { TASK_ROUTES } from "#tasks/published/routes";
import { taskQuery } from "./wiring";

/** GET /api/tasks?status&agentType&priority&limit&cursor — task summaries, newest first. */
export const handler = httpRoute(TASK_ROUTES.listTasks, async ({ query }) => {
  const { limit, cursor, ...filter } = query;
  return json(200, await taskQuery().list(filter, { limit, ...(cursor ? { cursor } : {}) }));
});
