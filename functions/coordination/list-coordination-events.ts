import { COORDINATION_ROUTES } from "#coordination/published/routes";
import { httpRoute, json } from "#shared/http";
import { eventStore } from "./wiring";

/** GET /api/coordination/events?kind&limit&cursor */
export const handler = httpRoute(COORDINATION_ROUTES.listCoordinationEvents, async ({ query }) => {
  const page = await eventStore().list({
    limit: query.limit,
    ...(query.kind ? { kind: query.kind } : {}),
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
  return json(200, { events: page.events, ...(page.cursor ? { nextCursor: page.cursor } : {}) });
});
