import { FILE_ROUTES } from "#files/published/routes";
import { httpRoute, json } from "#shared/http";
import { store } from "./wiring";

/** GET /api/files/statistics — one read of the counters the records' writes keep. */
export const handler = httpRoute(FILE_ROUTES.getFileStatistics, async () => json(200, await store().statistics()));
