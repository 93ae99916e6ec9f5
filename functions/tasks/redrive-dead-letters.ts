import { systemClock } from "#shared/clock";
import { HttpEvent, httpHandler, json, jsonBody } from "#shared/http";
import { ACTOR_ROLES, callerFromClaims, requireRole } from "#shared/identity";
import { RedriveRequest, redriveTasks } from "#tasks/domain/redrive-tasks";
import { retryPolicy, taskStore } from "./wiring";

const RedriveEvent = HttpEvent.extend({
  body: jsonBody(RedriveRequest),
});

/** POST /api/tasks/dead-letters/redrive — re-queues the chosen dead-lettered tasks with fresh retries. */
export const handler = httpHandler(RedriveEvent, async (event) => {
  const caller = callerFromClaims(event.requestContext.authorizer?.jwt?.claims);
  requireRole(caller, ACTOR_ROLES);
  const results = await redriveTasks([...new Set(event.body.taskIds)], {
    store: taskStore(),
    clock: systemClock,
    policy: retryPolicy(),
  });
  return json(200, { redriven: results.filter((r) => r.outcome === "redriven").length, results });
});
