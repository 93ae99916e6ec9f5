import * as z from "zod";
import { AgentAction, agentAction } from "#agents/domain/agent-actions";
import { HttpEvent, httpHandler, json } from "#shared/http";
import { ACTOR_ROLES, callerFromClaims, requireRole } from "#shared/identity";
import { actionDeps } from "./wiring";

const AgentActionEvent = HttpEvent.extend({
  pathParameters: z.object({ agentId: z.string().min(1).max(128), action: AgentAction }),
});

/**
 * POST /api/agents/{agentId}/{start|stop|restart} — through ECS: restart stops the agent's task
 * (its service starts a replacement), stop also lowers the desired count, start raises it.
 * Answers 202: ECS carries it out within seconds.
 */
export const handler = httpHandler(AgentActionEvent, async (event) => {
  const caller = callerFromClaims(event.requestContext.authorizer?.jwt?.claims);
  requireRole(caller, ACTOR_ROLES);
  const { agentId, action } = event.pathParameters;
  return json(202, await agentAction(agentId, action, caller, actionDeps(new Date())));
});
