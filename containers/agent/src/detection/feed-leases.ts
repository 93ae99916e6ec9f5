import type { Logger } from "@aws-lambda-powertools/logger";
import type { KeptLease, ResourceLocks } from "#coordination/published/locks";

/**
 * One scraper in the fleet polls each feed host: the one holding `feed/<host>`. The others skip
 * that host while the lease is held, so the host sees one agent's rate limit however many
 * scrapers run. A holder that dies is replaced within the lease plus the skew margin; one that
 * loses its lease (partition, theft) stops polling at once: its poll runs under the lease's signal.
 */
export class FeedHostLeases {
  private readonly held = new Map<string, KeptLease>();

  constructor(
    private readonly locks: ResourceLocks,
    private readonly options: { readonly holder: string; readonly ttlMs: number; readonly logger: Logger },
  ) {}

  /** The lease's signal if this agent polls `host` now (taking the lease if it is free), else undefined. */
  async poller(host: string): Promise<AbortSignal | undefined> {
    const kept = this.held.get(host);
    if (kept && !kept.signal.aborted) return kept.signal;
    if (kept) {
      this.options.logger.info("feed lease lost; another scraper may poll this host now", {
        host,
        reason: String(kept.signal.reason),
      });
      this.held.delete(host);
      await kept.stop();
    }
    const result = await this.locks.tryAcquire({
      resource: `feed/${host}`,
      mode: "exclusive",
      ttlMs: this.options.ttlMs,
      holder: this.options.holder,
      requestKey: `${this.options.holder}:feed/${host}`,
    });
    if (!result.acquired) return undefined;
    const fresh = this.locks.keep(result.lease, {
      ttlMs: this.options.ttlMs,
      onTransientError: (error) => this.options.logger.warn("could not renew a feed lease; retrying", { host, error }),
    });
    this.held.set(host, fresh);
    this.options.logger.info("polling a feed host for the fleet", { host, token: result.lease.token });
    return fresh.signal;
  }

  /** Stops renewing and releases every lease, so another scraper takes the hosts over at once. */
  async releaseAll(): Promise<void> {
    const leases = [...this.held.values()];
    this.held.clear();
    await Promise.all(
      leases.map(async (kept) => {
        await kept.stop();
        if (!kept.signal.aborted) await this.locks.release(kept.current());
      }),
    );
  }
}
