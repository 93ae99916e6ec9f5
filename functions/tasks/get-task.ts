import * as z from "zod";
import { dynamoDocumentClient } from "#shared/adapters/aws-clients";
import { readEnv } from "#shared/env";
import { NotFoundError } from "#shared/errors";
import { HttpEvent, httpHandler, json } from "#shared/http";
import { callerFromClaims, READER_ROLES, requireRole } from "#shared/identity";
import { DynamoDbTaskStore } from "#tasks/adapters/dynamodb-task-store";
import { toTaskView } from "#tasks/domain/task";

const env = readEnv(z.object({ TASKS_TABLE: z.string().min(1) }));
const store = new DynamoDbTaskStore(dynamoDocumentClient(), env.TASKS_TABLE);

const GetTaskEvent = HttpEvent.extend({
  pathParameters: z.object({ taskId: z.string().min(1).max(128) }),
});

/** GET /api/tasks/{taskId} */
export const handler = httpHandler(GetTaskEvent, async (event) => {
  requireRole(callerFromClaims(event.requestContext.authorizer?.jwt?.claims), READER_ROLES);
  const { taskId } = event.pathParameters;
  const task = await store.get(taskId);
  if (!task) throw new NotFoundError("task", taskId);
  return json(200, toTaskView(task));
});
