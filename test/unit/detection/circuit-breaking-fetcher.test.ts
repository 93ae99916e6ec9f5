import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type BreakerState,
  CircuitBreakingFeedFetcher,
  FeedCircuitOpenError,
  SEED_BREAKER_SETTINGS,
} from "#detection/adapters/circuit-breaking-fetcher";
import type { FeedFetcher, FetchResult } from "#detection/domain/feed-watcher";

const URL_A = "https://a.example/feed.json";
const URL_B = "https://b.example/feed.json";
const NOT_MODIFIED: FetchResult = { status: "not-modified" };

/** A source that fails while `down` is true, counting the requests that reached it. */
class FlakySource implements FeedFetcher {
  down = true;
  calls = 0;
  async fetch(): Promise<FetchResult> {
    this.calls++;
    if (this.down) throw new Error("connect ECONNREFUSED");
    return NOT_MODIFIED;
  }
}

describe("CircuitBreakingFeedFetcher", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-12-02T00:00:00.000Z"));
  });
  afterEach(() => vi.useRealTimers());

  it("opens after seed 000's 5 failures in a row and stops asking the host", async () => {
    // GIVEN a host that is down
    const source = new FlakySource();
    const fetcher = new CircuitBreakingFeedFetcher(source, SEED_BREAKER_SETTINGS);

    // WHEN it is polled 8 times
    for (let i = 0; i < 5; i++) await expect(fetcher.fetch(URL_A, undefined)).rejects.toThrow("ECONNREFUSED");
    const refused = await fetcher.fetch(URL_A, undefined).catch((error: unknown) => error);
    await fetcher.fetch(URL_A, undefined).catch(() => undefined);
    await fetcher.fetch(URL_A, undefined).catch(() => undefined);

    // THEN only the first 5 reached it; the rest were refused at once, saying why
    expect(source.calls).toBe(5);
    expect(refused).toBeInstanceOf(FeedCircuitOpenError);
    expect(fetcher.states()).toEqual({ "a.example": "open" });
  });

  it("lets one trial through after the recovery timeout and closes when it succeeds", async () => {
    const source = new FlakySource();
    const fetcher = new CircuitBreakingFeedFetcher(source, SEED_BREAKER_SETTINGS);
    for (let i = 0; i < 5; i++) await fetcher.fetch(URL_A, undefined).catch(() => undefined);

    // Still open just before 60 s…
    vi.advanceTimersByTime(59_000);
    await expect(fetcher.fetch(URL_A, undefined)).rejects.toBeInstanceOf(FeedCircuitOpenError);
    expect(source.calls).toBe(5);

    // …half-open after it: the host is back, the trial succeeds, the breaker closes.
    vi.advanceTimersByTime(1_000);
    source.down = false;
    expect(await fetcher.fetch(URL_A, undefined)).toEqual(NOT_MODIFIED);
    expect(source.calls).toBe(6);
    expect(fetcher.states()).toEqual({ "a.example": "closed" });
  });

  it("opens again at once when the trial fails", async () => {
    const source = new FlakySource();
    const fetcher = new CircuitBreakingFeedFetcher(source, SEED_BREAKER_SETTINGS);
    for (let i = 0; i < 5; i++) await fetcher.fetch(URL_A, undefined).catch(() => undefined);
    vi.advanceTimersByTime(60_000);

    await expect(fetcher.fetch(URL_A, undefined)).rejects.toThrow("ECONNREFUSED");

    expect(fetcher.states()).toEqual({ "a.example": "open" });
    await expect(fetcher.fetch(URL_A, undefined)).rejects.toBeInstanceOf(FeedCircuitOpenError);
    expect(source.calls).toBe(6);
  });

  it("keeps one breaker per host, takes its thresholds from settings, and reports each change", async () => {
    const source = new FlakySource();
    const changes: [string, BreakerState][] = [];
    const fetcher = new CircuitBreakingFeedFetcher(source, { failureThreshold: 2, recoveryTimeoutSeconds: 10 }, (host, state) =>
      changes.push([host, state]),
    );
    for (let i = 0; i < 2; i++) await fetcher.fetch(URL_A, undefined).catch(() => undefined);
    await fetcher.fetch(URL_B, undefined).catch(() => undefined);

    expect(fetcher.states()).toEqual({ "a.example": "open", "b.example": "closed" });
    expect(changes).toEqual([["a.example", "open"]]);
    vi.advanceTimersByTime(10_000);
    source.down = false;
    await fetcher.fetch(URL_A, undefined);
    expect(changes).toEqual([
      ["a.example", "open"],
      ["a.example", "half_open"],
      ["a.example", "closed"],
    ]);
  });

  it("counts failures only in a row: a success in between resets the count (the control for the threshold)", async () => {
    const source = new FlakySource();
    const fetcher = new CircuitBreakingFeedFetcher(source, SEED_BREAKER_SETTINGS);
    for (let i = 0; i < 4; i++) await fetcher.fetch(URL_A, undefined).catch(() => undefined);
    source.down = false;
    await fetcher.fetch(URL_A, undefined);
    source.down = true;
    for (let i = 0; i < 4; i++) await fetcher.fetch(URL_A, undefined).catch(() => undefined);

    expect(fetcher.states()).toEqual({ "a.example": "closed" });
    expect(source.calls).toBe(9);
  });
});
