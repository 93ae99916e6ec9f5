import { AGENT_ROUTES } from "#agents/published/routes";
import { NotFoundError } from "#shared/errors";
import { httpRoute, json } from "#shared/http";
import { registry } from "./wiring";

/** GET /api/agents/{agentId} — an agent's capabilities, status and last workload. */
export const handler = httpRoute(AGENT_ROUTES.getAgent, async ({ params }) => {
  const agent = await registry().get(params.agentId);
  if (!agent) throw new NotFoundError("agent", params.agentId);
  return json(200, agent);
});
