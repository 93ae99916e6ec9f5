import * as z from "zod";
import { deployAgentType } from "#agents/domain/agent-actions";
import { AgentType } from "#kernel/agent-catalog";
import { HttpEvent, httpHandler, json } from "#shared/http";
import { ACTOR_ROLES, callerFromClaims, requireRole } from "#shared/identity";
import { actionDeps } from "./wiring";

const DeployEvent = HttpEvent.extend({ pathParameters: z.object({ type: AgentType }) });

/**
 * POST /api/agent-types/{type}/deploy — a new deployment of the type's service: every agent is
 * replaced by a fresh one (rolling, behind the circuit breaker). A type at zero is started at one.
 */
export const handler = httpHandler(DeployEvent, async (event) => {
  requireRole(callerFromClaims(event.requestContext.authorizer?.jwt?.claims), ACTOR_ROLES);
  return json(202, await deployAgentType(event.pathParameters.type, actionDeps(new Date())));
});
