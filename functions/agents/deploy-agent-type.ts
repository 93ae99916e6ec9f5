import { deployAgentType } from "#agents/domain/agent-actions";
import { AGENT_ROUTES } from "#agents/published/routes";
import { httpRoute, json } from "#shared/http";
import { actionDeps } from "./wiring";

/**
 * POST /api/agent-types/{type}/deploy — a new deployment of the type's service: every agent is
 * replaced by a fresh one (rolling, behind the circuit breaker). A type at zero is started at one.
 */
export const handler = httpRoute(AGENT_ROUTES.deployAgentType, async ({ params, caller }) =>
  json(202, await deployAgentType(params.type, caller, await actionDeps(new Date()))),
);
