import { HttpEvent, httpHandler, json } from "#shared/http";
import { ACTOR_ROLES, callerFromClaims, requireRole } from "#shared/identity";
import { ConnectionListQuery, listConnections } from "#realtime/domain/management";
import { connectionStore } from "./wiring";

const store = connectionStore();

const ListConnectionsEvent = HttpEvent.extend({
  queryStringParameters: ConnectionListQuery.nullish().transform((q) => q ?? ConnectionListQuery.parse({})),
});

/** GET /api/websocket/connections?limit&cursor — open connections, who holds them and what they follow (operator, admin). */
export const handler = httpHandler(ListConnectionsEvent, async (event) => {
  requireRole(callerFromClaims(event.requestContext.authorizer?.jwt?.claims), ACTOR_ROLES);
  return json(200, await listConnections(event.queryStringParameters, store), { "cache-control": "no-store" });
});
