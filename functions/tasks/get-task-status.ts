import { HttpEvent, httpHandler, json } from "#core/shared/http";
import { callerFromClaims, READER_ROLES, requireRole } from "#core/shared/identity";
import { summarizeStats } from "#core/tasks/domain/task-stats";
import { taskStats } from "./wiring";

/** Minutes the throughput average spans. */
const THROUGHPUT_WINDOW_MINUTES = 5;

/** GET /api/tasks/status — counts by status, priority and type; throughput; average queue and execution time. */
export const handler = httpHandler(HttpEvent, async (event) => {
  requireRole(callerFromClaims(event.requestContext.authorizer?.jwt?.claims), READER_ROLES);
  const now = new Date();
  // The current minute is still filling; average over the last full ones.
  const lastMinute = new Date(now.getTime() - 60_000);
  const [byType, minutes] = await Promise.all([
    taskStats().byType(),
    taskStats().lastMinutes(THROUGHPUT_WINDOW_MINUTES, lastMinute),
  ]);
  return json(200, summarizeStats(byType, minutes, now));
});
