import { HttpEvent, httpHandler, json, jsonBody } from "#shared/http";
import { ACTOR_ROLES, callerFromClaims, requireRole } from "#shared/identity";
import { metrics } from "#shared/powertools";
import { submitTask } from "#tasks/domain/submit-task";
import { SubmitTaskRequest, toTaskView } from "#tasks/domain/task";
import { submitDeps } from "./wiring";

const SubmitTaskEvent = HttpEvent.extend({ body: jsonBody(SubmitTaskRequest) });

/**
 * POST /api/tasks — 201 with the new task, or 200 with the earlier one for a repeated
 * idempotency key; 429 with Retry-After when the agent type's queue is full. Operators and
 * admins submit work; viewers only read.
 */
export const handler = httpHandler(
  SubmitTaskEvent,
  async (event) => {
    const caller = callerFromClaims(event.requestContext.authorizer?.jwt?.claims);
    requireRole(caller, ACTOR_ROLES);
    const { task, created } = await submitTask(event.body, caller, submitDeps());
    metrics.addMetric(created ? "TasksSubmitted" : "TaskSubmissionsReplayed", "Count", 1);
    return json(created ? 201 : 200, toTaskView(task), {
      location: `/api/tasks/${task.taskId}`,
      ...(created ? {} : { "idempotent-replayed": "true" }),
    });
  },
  // The payload limit is enforced on the field (413 naming `payload`); this bounds the whole body first.
  { maxBodyBytes: submitDeps().limits.maxPayloadBytes + 16_384 },
);
