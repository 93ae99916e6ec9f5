import { COORDINATION_ROUTES } from "#coordination/published/routes";
import { httpRoute, json } from "#shared/http";
import { eventStore } from "./wiring";

/** GET /api/coordination/conflicts */
export const handler = httpRoute(COORDINATION_ROUTES.listConflicts, async ({ query }) => {
  const page = await eventStore().list({
    kind: "conflict",
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
  return json(200, { events: page.events, ...(page.cursor ? { nextCursor: page.cursor } : {}) });
});
