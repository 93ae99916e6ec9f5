import { OptimizationSummary } from "#optimization/domain/optimization";
import { OPTIMIZATION_ROUTES } from "#optimization/published/routes";
import { httpRoute, json } from "#shared/http";
import { store } from "./wiring";

/** GET /api/optimizations?status&target&limit&cursor — newest first. */
export const handler = httpRoute(OPTIMIZATION_ROUTES.listOptimizations, async ({ query }) => {
  const page = await store().list(query);
  return json(200, {
    items: page.items.map((record) => OptimizationSummary.parse(record)),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  });
});
