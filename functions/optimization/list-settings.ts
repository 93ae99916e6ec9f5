import { listSettings } from "#optimization/domain/views";
import { OPTIMIZATION_ROUTES } from "#optimization/published/routes";
import { httpRoute, json } from "#shared/http";
import { bucket } from "./wiring";

/** GET /api/settings — every settings document with its current version. */
export const handler = httpRoute(OPTIMIZATION_ROUTES.listSettings, async () => json(200, await listSettings(bucket())));
