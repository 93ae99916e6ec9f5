import { AGENT_ROUTES } from "#agents/published/routes";
import { httpRoute, json } from "#shared/http";
import { agentQuery } from "./wiring";

/** GET /api/agents?type&status&sort&limit&cursor — agents through the table's indexes, a page at a time. */
export const handler = httpRoute(AGENT_ROUTES.listAgents, async ({ query }) => json(200, await agentQuery().list(query)));
