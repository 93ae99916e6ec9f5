/** How long to wait before reconnecting. */
export interface BackoffPolicy {
  /** The first wait's ceiling. */
  readonly baseMs: number;
  /** No wait is longer than this, however many attempts failed. */
  readonly capMs: number;
}

export const RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 15_000 };

/**
 * The wait before reconnect attempt `attempt` (0 for the first): the ceiling doubles from
 * `baseMs` up to `capMs`, and the wait is drawn from the upper half of it. The jitter spreads
 * the reconnects of many dashboards that lost the API at one moment; the fixed lower half
 * keeps one client from retrying in a tight loop when the draw comes out near zero.
 *
 * @example
 * reconnectDelay(3, { baseMs: 500, capMs: 15_000 }, () => 0.5) // → 3000 (ceiling 4000, drawn from 2000–4000)
 */
export function reconnectDelay(
  attempt: number,
  policy: BackoffPolicy = RECONNECT_BACKOFF,
  random: () => number = Math.random,
): number {
  // 2 ** attempt overflows to Infinity long before attempt is unsafe; min() then clamps it.
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt));
  const draw = Math.min(Math.max(random(), 0), 1);
  return Math.round(ceiling / 2 + (ceiling / 2) * draw);
}
