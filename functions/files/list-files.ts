import { viewOf } from "#files/domain/files";
import { FILE_ROUTES } from "#files/published/routes";
import { httpRoute, json } from "#shared/http";
import { store } from "./wiring";

/** GET /api/files?fileType&limit&cursor — newest first, from an index (never a scan). */
export const handler = httpRoute(FILE_ROUTES.listFiles, async ({ query }) => {
  const page = await store().list(query);
  return json(200, { items: page.items.map(viewOf), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
});
