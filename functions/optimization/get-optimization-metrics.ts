import { optimizationMetrics } from "#optimization/domain/views";
import { OPTIMIZATION_ROUTES } from "#optimization/published/routes";
import { httpRoute, json } from "#shared/http";
import { store } from "./wiring";

/** GET /api/optimizations/metrics — outcomes and the mean times to decision and to apply. */
export const handler = httpRoute(OPTIMIZATION_ROUTES.getOptimizationMetrics, async () =>
  json(200, await optimizationMetrics(store())),
);
