import { HttpEvent, httpHandler, json } from "#shared/http";
import { callerFromClaims, READER_ROLES, requireRole } from "#shared/identity";
import { readTaskStatus } from "#tasks/domain/task-stats";
import { taskStats } from "./wiring";

/** GET /api/tasks/status — counts by status, priority and type; throughput; average queue and execution time. */
export const handler = httpHandler(HttpEvent, async (event) => {
  requireRole(callerFromClaims(event.requestContext.authorizer?.jwt?.claims), READER_ROLES);
  return json(200, await readTaskStatus(taskStats(), new Date()));
});
