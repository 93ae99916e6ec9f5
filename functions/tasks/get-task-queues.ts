import { httpRoute, json } from "#shared/http";
import { queueView } from "#tasks/domain/queue-view";
import { TASK_ROUTES } from "#tasks/published/routes";
import { queueInspector, taskQuery } from "./wiring";

/** GET /api/tasks/queue — per agent type and priority: visible, in flight, delayed, dead letters, oldest age. */
export const handler = httpRoute(TASK_ROUTES.getTaskQueues, async () => {
  const queues = await queueView({ inspector: queueInspector(), query: taskQuery(), now: new Date() });
  return json(200, { generatedAt: new Date().toISOString(), queues });
});
