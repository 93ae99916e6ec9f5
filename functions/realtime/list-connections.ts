import { listConnections } from "#realtime/domain/management";
import { REALTIME_ROUTES } from "#realtime/published/routes";
import { httpRoute, json } from "#shared/http";
import { connectionStore } from "./wiring";

/** GET /api/websocket/connections?limit&cursor — open connections, who holds them and what they follow. */
export const handler = httpRoute(REALTIME_ROUTES.listConnections, async ({ query }) =>
  json(200, await listConnections(query, connectionStore())),
);
