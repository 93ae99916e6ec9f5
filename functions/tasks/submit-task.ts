import { httpRoute, json } from "#shared/http";
import { metrics } from "#shared/powertools";
import { submitTask } from "#tasks/domain/submit-task";
import { toTaskView } from "#tasks/domain/task";
import { TASK_ROUTES } from "#tasks/published/routes";
import { submitDeps } from "./wiring";

/**
 * POST /api/tasks — 201 with the new task, or 200 with the earlier one for a repeated
 * idempotency key; 429 with Retry-After when the agent type's queue is full.
 */
export const handler = httpRoute(
  TASK_ROUTES.submitTask,
  async ({ body, caller }) => {
    const { task, created } = await submitTask(body, caller, submitDeps());
    metrics.addMetric(created ? "TasksSubmitted" : "TaskSubmissionsReplayed", "Count", 1);
    return json(created ? 201 : 200, toTaskView(task), {
      location: `/api/tasks/${task.taskId}`,
      ...(created ? {} : { "idempotent-replayed": "true" }),
    });
  },
  // The payload limit is enforced on the field (413 naming `payload`); this bounds the whole body first.
  { maxBodyBytes: submitDeps().limits.maxPayloadBytes + 16_384 },
);
