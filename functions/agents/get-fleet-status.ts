import { fleetStatus } from "#agents/domain/fleet-status";
import { AGENT_ROUTES } from "#agents/published/routes";
import { httpRoute, json } from "#shared/http";
import { fleet, registry } from "./wiring";

/** GET /api/agents/status?includeStopped — each type's desired and running size, and every agent's state. */
export const handler = httpRoute(AGENT_ROUTES.getFleetStatus, async ({ query }) => {
  const view = await fleetStatus({ registry: registry(), fleet: fleet(), now: new Date(), includeStopped: query.includeStopped });
  return json(200, view);
});
