import { agentAction } from "#agents/domain/agent-actions";
import { AGENT_ROUTES } from "#agents/published/routes";
import { httpRoute, json } from "#shared/http";
import { actionDeps } from "./wiring";

/**
 * POST /api/agents/{agentId}/{start|stop|restart} — through ECS: restart stops the agent's task
 * (its service starts a replacement), stop also lowers the desired count, start raises it.
 * Answers 202: ECS carries it out within seconds.
 */
export const handler = httpRoute(AGENT_ROUTES.agentAction, async ({ params, caller }) =>
  json(202, await agentAction(params.agentId, params.action, caller, await actionDeps(new Date()))),
);
