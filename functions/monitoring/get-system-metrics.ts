import { systemMetricsView, windowStart } from "#monitoring/domain/system-metrics";
import { MONITORING_ROUTES } from "#monitoring/published/routes";
import { httpRoute, json } from "#shared/http";
import { metricsHistory } from "./wiring";

/** GET /api/metrics/system?window=5m|1h|24h — the window's points, charted and summed up. */
export const handler = httpRoute(MONITORING_ROUTES.getSystemMetrics, async ({ query }) => {
  const now = new Date();
  const points = await metricsHistory().between(windowStart(query.window, now).toISOString(), now.toISOString());
  return json(200, systemMetricsView(points, query.window, now));
});
