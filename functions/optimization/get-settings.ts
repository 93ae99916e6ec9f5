import { getSettings } from "#optimization/domain/views";
import { OPTIMIZATION_ROUTES } from "#optimization/published/routes";
import { httpRoute, json } from "#shared/http";
import { bucket } from "./wiring";

/** GET /api/settings/{name}?version — a document's current version (or the one named); its ETag is the S3 version's. */
export const handler = httpRoute(OPTIMIZATION_ROUTES.getSettings, async ({ params, query }) => {
  const view = await getSettings(bucket(), params.name, query.version);
  return json(200, view, { etag: view.etag });
});
