import { httpRoute, json } from "#shared/http";
import { PLATFORM_ROUTES } from "#shared/platform-routes";
// Bundled at build time: the committed document an infra test keeps equal to the route tables.
import v1 from "../../docs/api/v1/openapi.json";

/** GET /api/openapi.json — the OpenAPI document of the version called. */
export const handler = httpRoute(PLATFORM_ROUTES.getOpenApiDocument, async () => json(200, v1));
