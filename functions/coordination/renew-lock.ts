import { renewFor } from "#coordination/domain/lock-api";
import { COORDINATION_ROUTES } from "#coordination/published/routes";
import { httpRoute, json } from "#shared/http";
import { mapped } from "./http-errors";
import { limits, locks } from "./wiring";

/** POST /api/coordination/locks/{leaseId}/renew — only the holder renews. */
export const handler = httpRoute(COORDINATION_ROUTES.renewLock, async ({ params, body, caller }) =>
  mapped(async () =>
    json(200, await renewFor(caller, params.leaseId, body.ttlSeconds, { locks: locks(), maxTtlSeconds: limits().maxTtlSeconds })),
  ),
);
