import { DETECTION_ROUTES } from "#detection/published/routes";
import { httpRoute, json } from "#shared/http";
import { detectionStore } from "./wiring";

/** GET /api/detections?limit&cursor — TGE detections, newest first, each with the items that reported it. */
export const handler = httpRoute(DETECTION_ROUTES.listDetections, async ({ query }) => {
  const { limit, cursor, order } = query;
  return json(200, await detectionStore().latest({ limit, order, ...(cursor ? { cursor } : {}) }));
});
