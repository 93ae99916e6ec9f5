import { scaleAgentType } from "#agents/domain/agent-actions";
import { AGENT_ROUTES } from "#agents/published/routes";
import { httpRoute, json } from "#shared/http";
import { actionDeps } from "./wiring";

/**
 * PUT /api/agent-types/{type}/scale `{ "replicas": n }` — sets the type's service to n agents
 * now; the scaler keeps to it for 30 minutes before sizing the type by its load again.
 */
export const handler = httpRoute(AGENT_ROUTES.scaleAgentType, async ({ params, body, caller }) =>
  json(202, await scaleAgentType(params.type, body.replicas, caller, await actionDeps(new Date()))),
);
