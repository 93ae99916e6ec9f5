import { websocketStatistics } from "#realtime/domain/management";
import { REALTIME_ROUTES } from "#realtime/published/routes";
import { httpRoute, json } from "#shared/http";
import { connectionStore, deliveryStats } from "./wiring";

/** GET /api/websocket/statistics — connections, subscriptions, rooms, frames per minute. */
export const handler = httpRoute(REALTIME_ROUTES.getStatistics, async () =>
  json(200, await websocketStatistics({ connections: connectionStore(), stats: deliveryStats(), now: new Date() })),
);
