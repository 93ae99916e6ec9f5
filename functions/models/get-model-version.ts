import { versionOf } from "#models/domain/queries";
import { MODEL_ROUTES } from "#models/published/routes";
import { httpRoute, json } from "#shared/http";
import { store } from "./wiring";

/** GET /api/models/{name}/versions/{version}. */
export const handler = httpRoute(MODEL_ROUTES.getModelVersion, async ({ params }) =>
  json(200, await versionOf(params, { store: store() })),
);
