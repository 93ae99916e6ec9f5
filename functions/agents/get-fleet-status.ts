import { FleetStatusQuery, fleetStatus } from "#agents/domain/fleet-status";
import { HttpEvent, httpHandler, json } from "#shared/http";
import { callerFromClaims, READER_ROLES, requireRole } from "#shared/identity";
import { fleet, registry } from "./wiring";

const FleetStatusEvent = HttpEvent.extend({
  queryStringParameters: FleetStatusQuery.nullish().transform((q) => q ?? FleetStatusQuery.parse({})),
});

/** GET /api/agents/status?includeStopped — each type's desired and running size, and every agent's state. */
export const handler = httpHandler(FleetStatusEvent, async (event) => {
  requireRole(callerFromClaims(event.requestContext.authorizer?.jwt?.claims), READER_ROLES);
  const view = await fleetStatus({
    registry: registry(),
    fleet: fleet(),
    now: new Date(),
    includeStopped: event.queryStringParameters.includeStopped,
  });
  return json(200, view, { "cache-control": "no-store" });
});
