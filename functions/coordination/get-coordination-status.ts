import { insightCounts } from "#coordination/domain/insight-api";
import type { CoordinationStatus } from "#coordination/domain/lock-api";
import { prune } from "#coordination/domain/lock-protocol";
import { COORDINATION_ROUTES } from "#coordination/published/routes";
import { httpRoute, json } from "#shared/http";
import { eventStore, insightStore, limits, locks } from "./wiring";

/** GET /api/coordination/status (seed 000) */
export const handler = httpRoute(COORDINATION_ROUTES.getCoordinationStatus, async () => {
  const now = new Date();
  const t = locks().time();
  const [rows, conflicts, insights] = await Promise.all([
    locks().list(),
    eventStore().count("conflict", new Date(now.getTime() - 3_600_000)),
    insightCounts(insightStore(), now),
  ]);
  const live = rows.map((row) => prune(row, t));
  const status: CoordinationStatus = {
    at: now.toISOString(),
    locks: {
      held: live.filter((row) => row.exclusive || Object.keys(row.shared).length > 0).length,
      exclusive: live.filter((row) => row.exclusive).length,
      shared: live.reduce((sum, row) => sum + Object.keys(row.shared).length, 0),
      waiters: live.reduce((sum, row) => sum + row.waiters.length, 0),
    },
    conflictsLastHour: conflicts,
    insights: { byTopic: insights.byTopic },
    sync: {
      intervalSeconds: limits().syncIntervalSeconds,
      ...(insights.newestAt !== undefined
        ? { newestInsightAgeSeconds: Math.max(0, (now.getTime() - insights.newestAt) / 1_000) }
        : {}),
    },
  };
  return json(200, status);
});
