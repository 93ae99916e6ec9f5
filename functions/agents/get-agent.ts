import * as z from "zod";
import { NotFoundError } from "#shared/errors";
import { HttpEvent, httpHandler, json } from "#shared/http";
import { callerFromClaims, READER_ROLES, requireRole } from "#shared/identity";
import { registry } from "./wiring";

const GetAgentEvent = HttpEvent.extend({
  pathParameters: z.object({ agentId: z.string().min(1).max(128) }),
});

/** GET /api/agents/{agentId} — an agent's capabilities, status and last workload. */
export const handler = httpHandler(GetAgentEvent, async (event) => {
  requireRole(callerFromClaims(event.requestContext.authorizer?.jwt?.claims), READER_ROLES);
  const { agentId } = event.pathParameters;
  const agent = await registry().get(agentId);
  if (!agent) throw new NotFoundError("agent", agentId);
  return json(200, agent, { "cache-control": "no-store" });
});
