import * as z from "zod";
import { ScaleRequest, scaleAgentType } from "#agents/domain/agent-actions";
import { AgentType } from "#kernel/agent-catalog";
import { HttpEvent, httpHandler, json, jsonBody } from "#shared/http";
import { ACTOR_ROLES, callerFromClaims, requireRole } from "#shared/identity";
import { actionDeps } from "./wiring";

const ScaleEvent = HttpEvent.extend({
  pathParameters: z.object({ type: AgentType }),
  body: jsonBody(ScaleRequest),
});

/**
 * PUT /api/agent-types/{type}/scale `{ "replicas": n }` — sets the type's service to n agents
 * now; the scaler keeps to it for 30 minutes before sizing the type by its load again.
 */
export const handler = httpHandler(ScaleEvent, async (event) => {
  requireRole(callerFromClaims(event.requestContext.authorizer?.jwt?.claims), ACTOR_ROLES);
  const result = await scaleAgentType(event.pathParameters.type, event.body.replicas, actionDeps(new Date()));
  return json(202, result);
});
