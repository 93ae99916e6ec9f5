import * as z from "zod";
import { AgentType } from "#core/agents/domain/agent-types";
import { HttpEvent, httpHandler, json } from "#core/shared/http";
import { Priority, TaskStatus } from "#core/tasks/domain/task";
import { taskQuery } from "./wiring";

export const ListQuery = z
  .object({
    status: TaskStatus.optional(),
    agentType: AgentType.optional(),
    priority: Priority.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().min(1).max(2_048).optional(),
  })
  .strict();

const ListTasksEvent = HttpEvent.extend({
  queryStringParameters: ListQuery.nullish().transform((q) => q ?? ListQuery.parse({})),
});

/** GET /api/tasks?status&agentType&priority&limit&cursor — task summaries, newest first. */
export const handler = httpHandler(ListTasksEvent, async (event) => {
  const { limit, cursor, ...filter } = event.queryStringParameters;
  const page = await taskQuery().list(filter, { limit, ...(cursor ? { cursor } : {}) });
  return json(200, page);
});
