import { versionsOf } from "#models/domain/queries";
import { MODEL_ROUTES } from "#models/published/routes";
import { httpRoute, json } from "#shared/http";
import { store } from "./wiring";

/** GET /api/models/{name}/versions?limit&cursor — newest first. */
export const handler = httpRoute(MODEL_ROUTES.listModelVersions, async ({ params, query }) =>
  json(200, await versionsOf(params.name, query, { store: store() })),
);
