import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CoalescingBatcher } from "#shared/adapters/coalescing-batcher";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A flush that records each call and fails the items `refused` names. */
function recorder(refused: ReadonlySet<string> = new Set()) {
  const calls: { key: string; items: string[] }[] = [];
  const flush = async (key: string, items: readonly string[]) => {
    calls.push({ key, items: [...items] });
    return items.map((item) => (refused.has(item) ? new Error(`${item} refused`) : undefined));
  };
  return { calls, flush };
}

describe("CoalescingBatcher", () => {
  it("gathers calls made within the window into one batch per key", async () => {
    const { calls, flush } = recorder();
    const batcher = new CoalescingBatcher(flush, { windowMs: 10 });

    const settled = Promise.all([batcher.submit("q1", "a"), batcher.submit("q1", "b"), batcher.submit("q2", "c")]);
    await vi.advanceTimersByTimeAsync(10);
    await settled;

    expect(calls).toEqual([
      { key: "q1", items: ["a", "b"] },
      { key: "q2", items: ["c"] },
    ]);
  });

  it("sends a full batch at once, without waiting for the window", async () => {
    const { calls, flush } = recorder();
    const batcher = new CoalescingBatcher(flush, { windowMs: 1_000, maxEntries: 2 });

    await Promise.all([batcher.submit("q", "a"), batcher.submit("q", "b")]);

    expect(calls).toEqual([{ key: "q", items: ["a", "b"] }]);
  });

  it("fails exactly the caller whose item was refused; the others of its batch go through", async () => {
    const { flush } = recorder(new Set(["b"]));
    const batcher = new CoalescingBatcher(flush, { windowMs: 5 });

    const outcomes = Promise.allSettled([batcher.submit("q", "a"), batcher.submit("q", "b"), batcher.submit("q", "c")]);
    await vi.advanceTimersByTimeAsync(5);

    expect((await outcomes).map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  });

  it("fails every caller of a batch whose call failed, with the call's error", async () => {
    const batcher = new CoalescingBatcher<string>(() => Promise.reject(new Error("connection reset")), { windowMs: 5 });

    const outcomes = Promise.allSettled([batcher.submit("q", "a"), batcher.submit("q", "b")]);
    await vi.advanceTimersByTimeAsync(5);

    expect((await outcomes).map((o) => (o.status === "rejected" ? (o.reason as Error).message : "ok"))).toEqual([
      "connection reset",
      "connection reset",
    ]);
  });

  it("calls made after a batch left start the next one", async () => {
    const { calls, flush } = recorder();
    const batcher = new CoalescingBatcher(flush, { windowMs: 5 });

    const first = batcher.submit("q", "a");
    await vi.advanceTimersByTimeAsync(5);
    await first;
    const second = batcher.submit("q", "b");
    await vi.advanceTimersByTimeAsync(5);
    await second;

    expect(calls.map((c) => c.items)).toEqual([["a"], ["b"]]);
  });
});
