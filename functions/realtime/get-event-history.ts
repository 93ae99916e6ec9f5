import { eventHistory as readHistory } from "#realtime/domain/management";
import { REALTIME_ROUTES } from "#realtime/published/routes";
import { httpRoute, json } from "#shared/http";
import { eventHistory } from "./wiring";

/** GET /api/websocket/event-history?room|topic&limit — the newest events of a room or topic, oldest first. */
export const handler = httpRoute(REALTIME_ROUTES.getEventHistory, async ({ query, caller }) =>
  json(200, await readHistory(query, caller.roles, eventHistory())),
);
