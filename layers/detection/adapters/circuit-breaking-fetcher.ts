import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleAll,
  type CircuitBreakerPolicy,
} from "cockatiel";
import type { FeedFetcher, FetchResult } from "../domain/feed-watcher";

/** When a feed host's breaker opens, and how long it stays open before one trial request. */
export interface BreakerSettings {
  /** Consecutive failures that open the breaker. */
  readonly failureThreshold: number;
  /** Seconds the breaker stays open before it lets one request through (half-open). */
  readonly recoveryTimeoutSeconds: number;
}

/** Seed 000's `circuit_breaker`: `failure_threshold: 5`, `recovery_timeout: 60`. */
export const SEED_BREAKER_SETTINGS: BreakerSettings = { failureThreshold: 5, recoveryTimeoutSeconds: 60 };

/** A breaker's state, as health and metrics show it. */
export type BreakerState = "closed" | "open" | "half_open" | "isolated";

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: "closed",
  [CircuitState.Open]: "open",
  [CircuitState.HalfOpen]: "half_open",
  [CircuitState.Isolated]: "isolated",
};

/** A feed was not asked: its host's breaker is open after repeated failures. */
export class FeedCircuitOpenError extends Error {
  constructor(
    readonly url: string,
    readonly host: string,
    options: { cause: unknown },
  ) {
    super(`${url}: not fetched, the circuit to ${host} is open after repeated failures`, options);
    this.name = "FeedCircuitOpenError";
  }
}

/**
 * Feed fetches through a circuit breaker per host (cockatiel): after `failureThreshold` failures
 * in a row (errors, timeouts, unusable answers; a 429 is an answer, not a failure) the host is
 * not asked for `recoveryTimeoutSeconds`, then one request decides whether it closes again. A
 * failing source then costs one fast refusal per poll instead of a 5-second timeout.
 *
 * @example
 * const fetcher = new CircuitBreakingFeedFetcher(new HttpFeedFetcher(), SEED_BREAKER_SETTINGS);
 */
export class CircuitBreakingFeedFetcher implements FeedFetcher {
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();

  constructor(
    private readonly inner: FeedFetcher,
    private readonly settings: BreakerSettings = SEED_BREAKER_SETTINGS,
    private readonly onStateChange: (host: string, state: BreakerState) => void = () => undefined,
  ) {}

  async fetch(url: string, etag: string | undefined): Promise<FetchResult> {
    const host = new URL(url).host;
    try {
      return await this.breakerOf(host).execute(() => this.inner.fetch(url, etag));
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw new FeedCircuitOpenError(url, host, { cause: error });
      throw error;
    }
  }

  /** Each host's breaker state, for health and metrics. */
  states(): Record<string, BreakerState> {
    return Object.fromEntries([...this.breakers].map(([host, breaker]) => [host, STATE_NAMES[breaker.state]]));
  }

  private breakerOf(host: string): CircuitBreakerPolicy {
    let breaker = this.breakers.get(host);
    if (!breaker) {
      breaker = circuitBreaker(handleAll, {
        halfOpenAfter: this.settings.recoveryTimeoutSeconds * 1_000,
        breaker: new ConsecutiveBreaker(this.settings.failureThreshold),
      });
      breaker.onStateChange((state) => this.onStateChange(host, STATE_NAMES[state]));
      this.breakers.set(host, breaker);
    }
    return breaker;
  }
}
