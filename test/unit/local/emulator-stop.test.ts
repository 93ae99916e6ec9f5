import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { awaitExit, describeProgress, saveBoundMs } from "../../../scripts/local/emulator-stop";

describe("saveBoundMs", () => {
  it("allows 30 s plus a second per 5 MB the emulator holds", () => {
    expect(saveBoundMs(0)).toBe(30_000);
    expect(saveBoundMs(300_000_000)).toBe(90_000);
    // 214 MB of DynamoDB items saved in 9 s here; the bound leaves room for a much slower save.
    expect(saveBoundMs(700_000_000)).toBeGreaterThan(4 * 9_000 * (700 / 214));
  });
});

describe("awaitExit", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("reports progress while the emulator saves, and answers true once it exits", async () => {
    let exit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (exit = resolve));
    const progress: number[] = [];
    const waiting = awaitExit({ exited, boundMs: 60_000, progress: (seconds) => progress.push(seconds) });
    await vi.advanceTimersByTimeAsync(6_500);
    exit(0);
    await expect(waiting).resolves.toBe(true);
    expect(progress).toEqual([2, 4, 6]);
  });

  it("gives up at the bound, answering false, so the caller kills it (and the save counts as incomplete)", async () => {
    const never = new Promise<number>(() => undefined);
    const waiting = awaitExit({ exited: never, boundMs: 30_000, progress: () => undefined });
    await vi.advanceTimersByTimeAsync(29_999);
    let settled = false;
    void waiting.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(waiting).resolves.toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("describeProgress", () => {
  it("says how many service files are written and which one is being written", () => {
    expect(describeProgress({ written: 12, writing: { name: "dynamodb.json", bytes: 40_500_000 } })).toBe(
      "12 service files written, writing dynamodb.json (40.5 MB so far)",
    );
    expect(describeProgress({ written: 1 })).toBe("1 service file written");
  });
});
