import { afterEach, describe, expect, it, vi } from "vitest";
import { cachedFor } from "#shared/cached-for";

afterEach(() => vi.useRealTimers());

describe("cachedFor", () => {
  it("reads once within the time to live, and again after it", async () => {
    vi.useFakeTimers().setSystemTime(new Date("2026-12-02T10:00:00.000Z"));
    let reads = 0;
    const cached = cachedFor(5_000, async () => ++reads);
    expect(await Promise.all([cached(), cached(), cached()])).toEqual([1, 1, 1]);
    vi.advanceTimersByTime(4_999);
    expect(await cached()).toBe(1);
    // Control: past the time to live the value is read again.
    vi.advanceTimersByTime(1);
    expect(await cached()).toBe(2);
  });

  it("keeps no failure: the next call reads again", async () => {
    vi.useFakeTimers().setSystemTime(new Date("2026-12-02T10:00:00.000Z"));
    let reads = 0;
    const cached = cachedFor(5_000, async () => {
      reads++;
      if (reads === 1) throw new Error("down");
      return reads;
    });
    await expect(cached()).rejects.toThrow("down");
    expect(await cached()).toBe(2);
  });
});
