import * as z from "zod";
import { dynamoDocumentClient } from "#core/shared/adapters/aws-clients";
import { systemClock } from "#core/shared/clock";
import { readEnv } from "#core/shared/env";
import { HttpEvent, httpHandler, json, jsonBody } from "#core/shared/http";
import { callerFromClaims, requireRole } from "#core/shared/identity";
import { metrics } from "#core/shared/powertools";
import { DynamoDbTaskStore } from "#core/tasks/adapters/dynamodb-task-store";
import { submitTask } from "#core/tasks/domain/submit-task";
import { SubmitTaskRequest, toTaskView } from "#core/tasks/domain/task";

const env = readEnv(
  z.object({
    TASKS_TABLE: z.string().min(1),
    MAX_PAYLOAD_BYTES: z.coerce.number().int().positive(),
  }),
);
const store = new DynamoDbTaskStore(dynamoDocumentClient(), env.TASKS_TABLE);

const SubmitTaskEvent = HttpEvent.extend({ body: jsonBody(SubmitTaskRequest) });

/**
 * POST /api/tasks — 201 with the new task, or 200 with the earlier one for a repeated
 * idempotency key. Operators and admins submit work; viewers only read.
 */
export const handler = httpHandler(
  SubmitTaskEvent,
  async (event) => {
    const caller = callerFromClaims(event.requestContext.authorizer?.jwt?.claims);
    requireRole(caller, ["operator", "admin"]);
    const { task, created } = await submitTask(event.body, caller, {
      store,
      clock: systemClock,
      limits: { maxPayloadBytes: env.MAX_PAYLOAD_BYTES },
    });
    metrics.addMetric(created ? "TasksSubmitted" : "TaskSubmissionsReplayed", "Count", 1);
    return json(created ? 201 : 200, toTaskView(task), {
      location: `/api/tasks/${task.taskId}`,
      ...(created ? {} : { "idempotent-replayed": "true" }),
    });
  },
  // The payload limit is enforced on the field (413 naming `payload`); this bounds the whole body first.
  { maxBodyBytes: env.MAX_PAYLOAD_BYTES + 16_384 },
);
