import { HttpEvent, httpHandler, json } from "#shared/http";
import { callerFromClaims, READER_ROLES, requireRole } from "#shared/identity";
import { queueView } from "#tasks/domain/queue-view";
import { queueInspector, taskQuery } from "./wiring";

/** GET /api/tasks/queue — per agent type and priority: visible, in flight, delayed, dead letters, oldest age. */
export const handler = httpHandler(HttpEvent, async (event) => {
  requireRole(callerFromClaims(event.requestContext.authorizer?.jwt?.claims), READER_ROLES);
  const queues = await queueView({ inspector: queueInspector(), query: taskQuery(), now: new Date() });
  return json(200, { generatedAt: new Date().toISOString(), queues });
});
