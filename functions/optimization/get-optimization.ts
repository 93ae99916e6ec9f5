import { optimizationView } from "#optimization/domain/views";
import { OPTIMIZATION_ROUTES } from "#optimization/published/routes";
import { httpRoute, json } from "#shared/http";
import { store } from "./wiring";

/** GET /api/optimizations/{recommendationId} — the record and the steps the pipeline recorded. */
export const handler = httpRoute(OPTIMIZATION_ROUTES.getOptimization, async ({ params }) =>
  json(200, await optimizationView(store(), params.recommendationId)),
);
