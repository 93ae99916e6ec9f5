import { exportOf } from "#models/domain/queries";
import { MODEL_ROUTES } from "#models/published/routes";
import { httpRoute, json } from "#shared/http";
import { metrics } from "#shared/powertools";
import { artifacts, clock, store } from "./wiring";

/**
 * GET /api/models/{name}/versions/{version}/export — a presigned GET of the artifact. The link
 * is a bearer credential for five minutes: it goes into the answer only, never into a log line
 * (the invocation summary logs the status code alone).
 */
export const handler = httpRoute(MODEL_ROUTES.exportModelVersion, async ({ params }) => {
  const exported = await exportOf(params, { store: store(), artifacts: artifacts(), clock });
  metrics.addMetric("ModelExports", "Count", 1);
  return json(200, exported);
});
