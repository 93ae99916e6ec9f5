import { HttpEvent, httpHandler, json } from "#shared/http";
import { callerFromClaims, READER_ROLES, requireRole } from "#shared/identity";
import { TaskListQuery } from "#tasks/domain/task-list";
import { taskQuery } from "./wiring";

const ListTasksEvent = HttpEvent.extend({
  queryStringParameters: TaskListQuery.nullish().transform((q) => q ?? TaskListQuery.parse({})),
});

/** GET /api/tasks?status&agentType&priority&limit&cursor — task summaries, newest first. */
export const handler = httpHandler(ListTasksEvent, async (event) => {
  requireRole(callerFromClaims(event.requestContext.authorizer?.jwt?.claims), READER_ROLES);
  const { limit, cursor, ...filter } = event.queryStringParameters;
  const page = await taskQuery().list(filter, { limit, ...(cursor ? { cursor } : {}) });
  return json(200, page);
});
