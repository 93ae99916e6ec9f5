import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { reconnectDelay } from "../../../web/src/backoff";

const policy = { baseMs: 500, capMs: 15_000 };

describe("reconnectDelay", () => {
  it("doubles the ceiling per attempt and draws from its upper half", () => {
    // GIVEN the draw at either end of its range
    const low = () => 0;
    const high = () => 0.999999;
    // THEN attempt n waits between half and all of min(cap, base·2ⁿ)
    expect([0, 1, 2, 3].map((n) => reconnectDelay(n, policy, low))).toEqual([250, 500, 1_000, 2_000]);
    expect([0, 1, 2, 3].map((n) => reconnectDelay(n, policy, high))).toEqual([500, 1_000, 2_000, 4_000]);
  });

  it("never waits longer than the cap, however many attempts failed", () => {
    expect(reconnectDelay(5, policy, () => 1)).toBe(15_000);
    expect(reconnectDelay(1_000, policy, () => 1)).toBe(15_000);
    expect(reconnectDelay(1_000, policy, () => 0)).toBe(7_500);
  });

  it("stays within [ceiling/2, ceiling] for any attempt and draw", () => {
    fc.assert(
      fc.property(fc.nat(200), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, draw) => {
        const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** attempt);
        const delay = reconnectDelay(attempt, policy, () => draw);
        return delay >= ceiling / 2 && delay <= ceiling;
      }),
    );
  });

  it("spreads clients that dropped together (jitter)", () => {
    const delays = new Set(Array.from({ length: 50 }, (_, i) => reconnectDelay(4, policy, () => i / 50)));
    expect(delays.size).toBeGreaterThan(40);
  });
});
