import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type BucketLimits, type BucketState, take } from "#shared/token-bucket";

const T0 = Date.parse("2026-11-23T10:00:00.000Z");
const limits: BucketLimits = { capacity: 3, refillPerSecond: 1 };

/** Takes one token at each time, carrying the state along; true for each take granted. */
function takes(times: readonly number[], bucket: BucketLimits = limits, cost = 1): boolean[] {
  let state: BucketState | undefined;
  return times.map((at) => {
    const result = take(state, bucket, at, cost);
    state = result.state;
    return result.ok;
  });
}

describe("take", () => {
  it("grants a burst of up to capacity at once, starting full, then refuses", () => {
    expect(takes([T0, T0, T0, T0])).toEqual([true, true, true, false]);
  });

  it("refills over time at refillPerSecond", () => {
    // Drained at T0; one token is back after a second, two after two seconds.
    expect(takes([T0, T0, T0, T0 + 999, T0 + 1_000, T0 + 1_000])).toEqual([true, true, true, false, true, false]);
    expect(takes([T0, T0, T0, T0 + 2_000, T0 + 2_000, T0 + 2_000])).toEqual([true, true, true, true, true, false]);
  });

  it("says how long until the next token, and a take at that time succeeds", () => {
    const drained: BucketState = { tokens: 0, at: T0 };
    const refused = take(drained, { capacity: 5, refillPerSecond: 2 }, T0);
    expect(refused).toMatchObject({ ok: false, retryAfterMs: 500 });
    if (refused.ok) return;
    expect(take(refused.state, { capacity: 5, refillPerSecond: 2 }, T0 + refused.retryAfterMs - 1).ok).toBe(false);
    expect(take(refused.state, { capacity: 5, refillPerSecond: 2 }, T0 + refused.retryAfterMs).ok).toBe(true);
  });

  it("counts part-filled tokens in retryAfterMs, rounding up to the next millisecond", () => {
    // 0.25 of a token left at 0.3 tokens a second: 0.75 ÷ 0.3 = 2.5 s; three tokens: 9.1666… s.
    expect(take({ tokens: 0.25, at: T0 }, { capacity: 10, refillPerSecond: 0.3 }, T0)).toMatchObject({
      ok: false,
      retryAfterMs: 2_500,
    });
    expect(take({ tokens: 0.25, at: T0 }, { capacity: 10, refillPerSecond: 0.3 }, T0, 3)).toMatchObject({
      ok: false,
      retryAfterMs: 9_167,
    });
  });

  it("never holds more than capacity, however long the bucket was left alone", () => {
    const rested = take({ tokens: 0, at: T0 }, limits, T0 + 24 * 3_600_000);
    expect(rested).toMatchObject({ ok: true, state: { tokens: limits.capacity - 1 } });
    expect(takes([T0, T0 + 3_600_000, T0 + 3_600_000, T0 + 3_600_000, T0 + 3_600_000])).toEqual([true, true, true, true, false]);
  });

  it("takes a cost of several tokens at once, or none of them", () => {
    const first = take(undefined, limits, T0, 2);
    expect(first).toMatchObject({ ok: true, state: { tokens: 1, at: T0 } });
    const second = take(first.state, limits, T0, 2);
    expect(second).toMatchObject({ ok: false, state: { tokens: 1 }, retryAfterMs: 1_000 });
  });

  it("keeps the refill it counted when it refuses, so waiting the advised time is enough", () => {
    const drained: BucketState = { tokens: 0, at: T0 };
    const early = take(drained, limits, T0 + 400);
    expect(early).toMatchObject({ ok: false, state: { tokens: 0.4, at: T0 + 400 }, retryAfterMs: 600 });
    expect(take(early.state, limits, T0 + 1_000).ok).toBe(true);
  });

  it("does not refill for a clock that steps back", () => {
    const drained: BucketState = { tokens: 0, at: T0 };
    expect(take(drained, limits, T0 - 5_000)).toMatchObject({ ok: false, state: { tokens: 0 }, retryAfterMs: 1_000 });
  });

  it("refuses a cost larger than the bucket can ever hold instead of promising a retry time", () => {
    const small: BucketLimits = { capacity: 2, refillPerSecond: 1 };
    expect(() => take(undefined, small, T0, 3)).toThrow(RangeError);
  });

  it("never grants more than capacity + refill × window within any window (property)", () => {
    fc.assert(
      fc.property(
        fc.record({
          capacity: fc.integer({ min: 1, max: 20 }),
          refillPerSecond: fc.constantFrom(0.1, 0.5, 1, 2, 3, 10),
        }),
        fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 150 }),
        (bucket, gaps) => {
          const times: number[] = [];
          let at = T0;
          for (const gap of gaps) times.push((at += gap));
          const granted = takes(times, bucket)
            .map((ok, i) => (ok ? times[i] : undefined))
            .filter((t): t is number => t !== undefined);
          for (let i = 0; i < granted.length; i++) {
            for (let j = i; j < granted.length; j++) {
              const window = ((granted[j] ?? 0) - (granted[i] ?? 0)) / 1_000;
              expect(j - i + 1).toBeLessThanOrEqual(bucket.capacity + bucket.refillPerSecond * window + 1e-9);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("grants a steady caller exactly the refill rate once the burst is spent (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 5 }), (capacity, refillPerSecond) => {
        // One take every millisecond for ten seconds: the burst, then one token per refill.
        const times = Array.from({ length: 10_000 }, (_, i) => T0 + i);
        const granted = takes(times, { capacity, refillPerSecond }).filter(Boolean).length;
        expect(granted).toBe(capacity + Math.floor(9.999 * refillPerSecond));
      }),
      { numRuns: 30 },
    );
  });
});
