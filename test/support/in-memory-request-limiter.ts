import type { RequestLimiter } from "#shared/rate-limits";
import { type BucketLimits, type BucketState, take } from "#shared/token-bucket";

/** Callers' request buckets in memory, with the same arithmetic as the table's. */
export class InMemoryRequestLimiter implements RequestLimiter {
  readonly buckets = new Map<string, BucketState>();
  async take(key: string, limits: BucketLimits, nowMs: number) {
    const result = take(this.buckets.get(key), limits, nowMs);
    if (result.ok) this.buckets.set(key, result.state);
    return result;
  }
}
