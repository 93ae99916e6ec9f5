import { JOB_ROUTES } from "#jobs/published/routes";
import { httpRoute, json } from "#shared/http";
import { store } from "./wiring";

/** GET /api/jobs?type&status&limit&cursor — newest first, from an index (never a scan); parameters and results left out. */
export const handler = httpRoute(JOB_ROUTES.listJobs, async ({ query }) => {
  const page = await store().list(query);
  return json(200, {
    items: page.items.map(({ parameters: _parameters, result: _result, ...summary }) => summary),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  });
});
