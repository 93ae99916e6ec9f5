import { settingsVersions } from "#optimization/domain/views";
import { OPTIMIZATION_ROUTES } from "#optimization/published/routes";
import { httpRoute, json } from "#shared/http";
import { ledger } from "./wiring";

/** GET /api/settings/{name}/versions?limit&cursor — the document's history, newest first. */
export const handler = httpRoute(OPTIMIZATION_ROUTES.listSettingsVersions, async ({ params, query }) =>
  json(200, await settingsVersions(ledger(), params.name, query.limit, query.cursor)),
);
