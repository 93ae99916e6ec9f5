import { httpRoute, json } from "#shared/http";
import { readTaskStatus } from "#tasks/domain/task-stats";
import { TASK_ROUTES } from "#tasks/published/routes";
import { taskStats } from "./wiring";

/** GET /api/tasks/status — counts by status, priority and type; throughput; average queue and execution time. */
export const handler = httpRoute(TASK_ROUTES.getTaskStatus, async () => json(200, await readTaskStatus(taskStats(), new Date())));
