import { lockView } from "#coordination/domain/lock-api";
import { COORDINATION_ROUTES } from "#coordination/published/routes";
import { httpRoute, json } from "#shared/http";
import { locks } from "./wiring";

/** GET /api/coordination/locks */
export const handler = httpRoute(COORDINATION_ROUTES.listLocks, async () => {
  const t = locks().time();
  const views = (await locks().list()).map((row) => lockView(row, t));
  return json(200, { locks: views.filter((v) => v.exclusive || v.shared.length > 0 || v.waiters.length > 0) });
});
