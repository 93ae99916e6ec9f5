import { prune } from "#coordination/domain/lock-protocol";
import { instrumented } from "#shared/instrumented";
import { logger } from "#shared/powertools";
import { locks } from "./wiring";

/**
 * Every minute: expires leases that lapsed without anyone asking for their lock, so the row and
 * the events say so. Correctness never waits for this (every acquire judges expiry itself, and
 * DynamoDB TTL plays no part): it keeps the list of locks and the dashboard honest.
 */
export const handler = instrumented(
  async () => {
    const t = locks().time();
    const lapsed = (await locks().list()).filter((row) => prune(row, t) !== row);
    let expired = 0;
    for (const row of lapsed) expired += await locks().expireLapsed(row.resource);
    if (expired > 0) logger.info("expired lapsed leases", { expired, resources: lapsed.map((row) => row.resource) });
    return { expired };
  },
  (result) => ({ expired: result?.expired }),
);
