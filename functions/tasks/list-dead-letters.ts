import { httpRoute, json } from "#shared/http";
import { TASK_ROUTES } from "#tasks/published/routes";
import { taskQuery } from "./wiring";

/** GET /api/tasks/dead-letters — dead-lettered tasks, newest first, each with its last error. */
export const handler = httpRoute(TASK_ROUTES.listDeadLetters, async ({ query }) => {
  const { limit, cursor, sort, order, ...filter } = query;
  const page = await taskQuery().list(
    { ...filter, status: "dead_lettered" },
    { limit, sort: { by: sort, order }, ...(cursor ? { cursor } : {}) },
  );
  return json(200, page);
});
