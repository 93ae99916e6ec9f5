import { acquireFor } from "#coordination/domain/lock-api";
import { COORDINATION_ROUTES } from "#coordination/published/routes";
import { httpRoute, json } from "#shared/http";
import { mapped } from "./http-errors";
import { limits, locks } from "./wiring";

/** POST /api/coordination/locks — a lease in the caller's name, or 409 naming who holds it. */
export const handler = httpRoute(
  COORDINATION_ROUTES.acquireLock,
  async ({ body, caller }) =>
    mapped(async () => json(201, await acquireFor(caller, body, { locks: locks(), maxTtlSeconds: limits().maxTtlSeconds }))),
  // Waiting for a lock can take up to waitSeconds; the function's timeout is set above it.
);
