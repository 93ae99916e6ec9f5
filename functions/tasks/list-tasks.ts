import { httpRoute, json } from "#shared/http";
import type { AgentType } from "#kernel/agent-catalog";
import { totalMatching } from "#tasks/domain/task-stats";
import { TASK_ROUTES } from "#tasks/published/routes";
import { taskQuery, taskStats } from "./wiring";

/** The counters a total needs: one type's row when the list names a type, else every type's. */
const countersFor = async (agentType: AgentType | undefined) =>
  agentType ? { [agentType]: await taskStats().ofType(agentType) } : taskStats().byType();

/**
 * GET /api/tasks?status&agentType&priority&sort&order&limit&cursor — task summaries, newest
 * first unless sorted otherwise, with the total matching the filters (from the counters).
 */
export const handler = httpRoute(TASK_ROUTES.listTasks, async ({ query }) => {
  const { limit, cursor, sort, order, ...filter } = query;
  const [page, counters] = await Promise.all([
    taskQuery().list(filter, { limit, sort: { by: sort, order }, ...(cursor ? { cursor } : {}) }),
    countersFor(filter.agentType),
  ]);
  return json(200, { ...page, total: totalMatching(counters, filter) });
});
