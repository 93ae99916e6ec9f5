import * as z from "zod";
import { systemClock } from "#shared/clock";
import { HttpEvent, httpHandler, json, jsonBody } from "#shared/http";
import { ACTOR_ROLES, callerFromClaims, requireRole } from "#shared/identity";
import { CancelTaskRequest, cancelTask } from "#tasks/domain/cancel-tasks";
import { toTaskView } from "#tasks/domain/task";
import { retryPolicy, taskStore } from "./wiring";

const CancelTaskEvent = HttpEvent.extend({
  pathParameters: z.object({ taskId: z.string().min(1).max(128) }),
  // The body is optional; when present it may give a reason.
  body: z.preprocess((body) => (body === undefined || body === null || body === "" ? "{}" : body), jsonBody(CancelTaskRequest)),
});

/**
 * POST /api/tasks/{taskId}/cancel — a queued task never starts; a running one is aborted at its
 * next heartbeat; a finished one answers 409.
 */
export const handler = httpHandler(CancelTaskEvent, async (event) => {
  const caller = callerFromClaims(event.requestContext.authorizer?.jwt?.claims);
  requireRole(caller, ACTOR_ROLES);
  const reason = typeof event.body === "object" ? event.body.reason : undefined;
  const task = await cancelTask(event.pathParameters.taskId, caller, reason, {
    store: taskStore(),
    clock: systemClock,
    policy: retryPolicy(),
  });
  return json(200, toTaskView(task));
});
