import { promoteVersion } from "#models/domain/promotion";
import { MODEL_ROUTES } from "#models/published/routes";
import { httpRoute, json } from "#shared/http";
import { metrics } from "#shared/powertools";
import { artifacts, clock, document, publisher, store } from "./wiring";

/**
 * POST /api/models/{name}/versions/{version}/promote — 202 naming the optimization the
 * promotion goes through (`Location: /api/optimizations/{id}`); a repeat while it runs names the
 * same one.
 */
export const handler = httpRoute(MODEL_ROUTES.promoteModelVersion, async ({ params, caller }) => {
  const { promotion, created } = await promoteVersion(params, caller, {
    store: store(),
    artifacts: artifacts(),
    document: document(),
    publisher: publisher(),
    clock,
  });
  metrics.addMetric(created ? "ModelPromotionsStarted" : "ModelPromotionsRepeated", "Count", 1);
  return json(202, promotion, { location: promotion.optimization });
});
