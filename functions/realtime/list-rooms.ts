import { listRooms } from "#realtime/domain/management";
import { REALTIME_ROUTES } from "#realtime/published/routes";
import { httpRoute, json } from "#shared/http";
import { connectionStore } from "./wiring";

/** GET /api/websocket/rooms — rooms and who is in each. */
export const handler = httpRoute(REALTIME_ROUTES.listRooms, async ({ caller }) =>
  json(200, await listRooms(connectionStore(), caller.roles)),
);
