import * as z from "zod";
import { AgentType } from "#core/agents/domain/agent-types";
import { systemClock } from "#core/shared/clock";
import { HttpEvent, httpHandler, json, jsonBody } from "#core/shared/http";
import { callerFromClaims, requireRole } from "#core/shared/identity";
import { BULK_CANCEL_LIMIT, cancelTasks } from "#core/tasks/domain/cancel-tasks";
import { Priority } from "#core/tasks/domain/task";
import { retryPolicy, taskQuery, taskStore } from "./wiring";

/** Either a filter or a list of ids; an empty filter would cancel everything and is refused. */
const BulkCancel = z
  .object({
    filter: z
      .object({
        status: z.enum(["queued", "running"]).optional(),
        agentType: AgentType.optional(),
        priority: Priority.optional(),
      })
      .strict()
      .refine((f) => Object.keys(f).length > 0, "name at least one of status, agentType, priority")
      .optional(),
    taskIds: z.array(z.string().min(1).max(128)).min(1).max(100).optional(),
    reason: z.string().min(1).max(500).optional(),
    limit: z.number().int().min(1).max(BULK_CANCEL_LIMIT).default(100),
  })
  .strict()
  .refine((b) => (b.filter === undefined) !== (b.taskIds === undefined), {
    message: "give filter or taskIds, not both",
    path: ["filter"],
  });

const BulkCancelEvent = HttpEvent.extend({ body: jsonBody(BulkCancel) });

/** POST /api/tasks/cancel — cancels queued and running tasks by filter or by id; a result per task. */
export const handler = httpHandler(BulkCancelEvent, async (event) => {
  const caller = callerFromClaims(event.requestContext.authorizer?.jwt?.claims);
  requireRole(caller, ["operator", "admin"]);
  const { results, more } = await cancelTasks(event.body, caller, {
    store: taskStore(),
    query: taskQuery(),
    clock: systemClock,
    policy: retryPolicy(),
  });
  return json(200, { cancelled: results.filter((r) => r.outcome === "cancelled").length, more, results });
});
