import { listInsights } from "#coordination/domain/insight-api";
import { COORDINATION_ROUTES } from "#coordination/published/routes";
import { httpRoute, json } from "#shared/http";
import { mapped } from "./http-errors";
import { insightStore } from "./wiring";

/** GET /api/coordination/insights?topic&limit&cursor */
export const handler = httpRoute(COORDINATION_ROUTES.listInsights, async ({ query }) =>
  mapped(async () => json(200, await listInsights(query, insightStore(), new Date()))),
);
