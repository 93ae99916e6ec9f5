/** A token bucket's state: tokens left and when they were counted. */
export interface BucketState {
  readonly tokens: number;
  readonly at: number;
}

export interface BucketLimits {
  /** Tokens the bucket holds at most (the burst). */
  readonly capacity: number;
  /** Tokens added per second. */
  readonly refillPerSecond: number;
}

export type TakeResult =
  | { readonly ok: true; readonly state: BucketState }
  | { readonly ok: false; readonly state: BucketState; readonly retryAfterMs: number };

/**
 * Takes `cost` tokens at `nowMs` if the bucket has them; otherwise says how long until it
 * will. Pure: callers keep the state (in memory, or in a table with a conditional write).
 *
 * @example
 * const first = take(undefined, { capacity: 10, refillPerSecond: 1 }, Date.now());
 */
export function take(state: BucketState | undefined, limits: BucketLimits, nowMs: number, cost = 1): TakeResult {
  // No wait makes such a take possible; promising a retry time would be a lie.
  if (cost > limits.capacity) throw new RangeError(`a cost of ${cost} exceeds the bucket's capacity of ${limits.capacity}`);
  const elapsedSeconds = state ? Math.max(0, nowMs - state.at) / 1_000 : 0;
  const tokens = Math.min(limits.capacity, (state?.tokens ?? limits.capacity) + elapsedSeconds * limits.refillPerSecond);
  if (tokens >= cost) return { ok: true, state: { tokens: tokens - cost, at: nowMs } };
  const retryAfterMs = Math.ceil(((cost - tokens) / limits.refillPerSecond) * 1_000);
  return { ok: false, state: { tokens, at: nowMs }, retryAfterMs };
}

/** A shared bucket changed under every take attempted: so many takes at once that the caller is over any budget. */
export class BucketContendedError extends Error {
  constructor(
    readonly bucket: string,
    readonly rounds: number,
  ) {
    super(`the rate-limit bucket ${bucket} kept changing under ${rounds} takes`);
    this.name = "BucketContendedError";
  }
}
