import { MODEL_ROUTES } from "#models/published/routes";
import { httpRoute, json } from "#shared/http";
import { store } from "./wiring";

/** GET /api/models — every model's summary, by name. */
export const handler = httpRoute(MODEL_ROUTES.listModels, async () => json(200, { models: await store().listModels() }));
