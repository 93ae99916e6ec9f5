import { systemClock } from "#shared/clock";
import { HttpEvent, httpHandler, json, jsonBody } from "#shared/http";
import { ACTOR_ROLES, callerFromClaims, requireRole } from "#shared/identity";
import { BulkCancelRequest, cancelTasks } from "#tasks/domain/cancel-tasks";
import { retryPolicy, taskQuery, taskStore } from "./wiring";

const BulkCancelEvent = HttpEvent.extend({ body: jsonBody(BulkCancelRequest) });

/** POST /api/tasks/cancel — cancels queued and running tasks by filter or by id; a result per task. */
export const handler = httpHandler(BulkCancelEvent, async (event) => {
  const caller = callerFromClaims(event.requestContext.authorizer?.jwt?.claims);
  requireRole(caller, ACTOR_ROLES);
  const { results, more } = await cancelTasks(event.body, caller, {
    store: taskStore(),
    query: taskQuery(),
    clock: systemClock,
    policy: retryPolicy(),
  });
  return json(200, { cancelled: results.filter((r) => r.outcome === "cancelled").length, more, results });
});
