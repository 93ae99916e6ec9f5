import * as z from "zod";
import { AgentType } from "#core/agents/domain/agent-types";
import { HttpEvent, httpHandler, json } from "#core/shared/http";
import { Priority } from "#core/tasks/domain/task";
import { taskQuery } from "./wiring";

const DeadLetterQuery = z
  .object({
    agentType: AgentType.optional(),
    priority: Priority.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().min(1).max(2_048).optional(),
  })
  .strict();

const ListDeadLettersEvent = HttpEvent.extend({
  queryStringParameters: DeadLetterQuery.nullish().transform((q) => q ?? DeadLetterQuery.parse({})),
});

/** GET /api/tasks/dead-letters — dead-lettered tasks, newest first, each with its last error. */
export const handler = httpHandler(ListDeadLettersEvent, async (event) => {
  const { limit, cursor, ...filter } = event.queryStringParameters;
  const page = await taskQuery().list({ ...filter, status: "dead_lettered" }, { limit, ...(cursor ? { cursor } : {}) });
  return json(200, page);
});
