import { bulkAgentAction } from "#agents/domain/bulk-agent-actions";
import { AGENT_ROUTES } from "#agents/published/routes";
import { httpRoute, json } from "#shared/http";
import { actionDeps } from "./wiring";

/** POST /api/agents/bulk — one action on up to 50 agents, each by the single action's rules, a result each. */
export const handler = httpRoute(AGENT_ROUTES.bulkAgentAction, async ({ body, caller }) =>
  json(200, await bulkAgentAction(body, caller, await actionDeps(new Date()))),
);
