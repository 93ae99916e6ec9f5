import { releaseFor } from "#coordination/domain/lock-api";
import { COORDINATION_ROUTES } from "#coordination/published/routes";
import { httpRoute, json } from "#shared/http";
import { logger } from "#shared/powertools";
import { mapped } from "./http-errors";
import { limits, locks } from "./wiring";

/** DELETE /api/coordination/locks/{leaseId} — the holder releases; an admin may force, recorded with who and why. */
export const handler = httpRoute(COORDINATION_ROUTES.releaseLock, async ({ params, query, caller }) =>
  mapped(async () => {
    const result = await releaseFor(
      caller,
      params.leaseId,
      { force: query.force === "true", ...(query.reason ? { reason: query.reason } : {}) },
      { locks: locks(), maxTtlSeconds: limits().maxTtlSeconds },
    );
    if (result.forced)
      logger.info("lease released by force", { leaseId: params.leaseId, by: caller.username, reason: query.reason });
    return json(200, result);
  }),
);
