import { HttpEvent, httpHandler, json } from "#shared/http";
import { callerFromClaims, READER_ROLES, requireRole } from "#shared/identity";
import { listRooms } from "#realtime/domain/management";
import { connectionStore } from "./wiring";

const store = connectionStore();

/** GET /api/websocket/rooms — rooms and who is in each (any role). */
export const handler = httpHandler(HttpEvent, async (event) => {
  requireRole(callerFromClaims(event.requestContext.authorizer?.jwt?.claims), READER_ROLES);
  return json(200, await listRooms(store), { "cache-control": "no-store" });
});
