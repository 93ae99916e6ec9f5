import { HttpEvent, httpHandler, json } from "#shared/http";
import { callerFromClaims, READER_ROLES, requireRole } from "#shared/identity";
import { DeadLetterListQuery } from "#tasks/domain/task-list";
import { taskQuery } from "./wiring";

const ListDeadLettersEvent = HttpEvent.extend({
  queryStringParameters: DeadLetterListQuery.nullish().transform((q) => q ?? DeadLetterListQuery.parse({})),
});

/** GET /api/tasks/dead-letters — dead-lettered tasks, newest first, each with its last error. */
export const handler = httpHandler(ListDeadLettersEvent, async (event) => {
  requireRole(callerFromClaims(event.requestContext.authorizer?.jwt?.claims), READER_ROLES);
  const { limit, cursor, ...filter } = event.queryStringParameters;
  const page = await taskQuery().list({ ...filter, status: "dead_lettered" }, { limit, ...(cursor ? { cursor } : {}) });
  return json(200, page);
});
