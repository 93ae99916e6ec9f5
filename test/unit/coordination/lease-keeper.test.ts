import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CoordinationUnavailableError, LeaseLostError } from "#coordination/domain/errors";
import { keepLease, withLease } from "#coordination/domain/lease-keeper";
import { type LockRequest, LockService } from "#coordination/domain/lock-service";
import { InMemoryLockStore } from "../../support/in-memory-lock-store";

const START = new Date("2026-12-01T10:00:00.000Z");
const clock = { now: () => new Date() };
const request: LockRequest = {
  resource: "feed/news.example",
  mode: "exclusive",
  ttlMs: 3_000,
  holder: "agent:a",
  requestKey: "a",
};
const partition = () =>
  new CoordinationUnavailableError("a renewal", { cause: Object.assign(new Error("dropped"), { name: "TimeoutError" }) });

describe("keepLease", () => {
  let store: InMemoryLockStore;
  let locks: LockService;
  beforeEach(() => {
    vi.useFakeTimers().setSystemTime(START);
    store = new InMemoryLockStore();
    locks = new LockService(store, { clock });
  });
  afterEach(() => vi.useRealTimers());

  it("renews every third of the lease, so the lease outlives any number of periods", async () => {
    const lease = await locks.acquire(request, { timeoutMs: 1_000 });
    const kept = keepLease(locks, lease, { ttlMs: 3_000 });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(kept.signal.aborted).toBe(false);
    expect(Date.parse(kept.current().expiresAt)).toBeGreaterThan(Date.now());
    await kept.stop();
  });

  it("aborts at once with the reason when the lease is stolen", async () => {
    const lease = await locks.acquire(request, { timeoutMs: 1_000 });
    const kept = keepLease(locks, lease, { ttlMs: 3_000 });
    await new LockService(store, { clock }).forceRelease(lease, "user:admin", "stuck scraper");
    await vi.advanceTimersByTimeAsync(1_000);
    expect(kept.signal.aborted).toBe(true);
    expect(kept.signal.reason).toBeInstanceOf(LeaseLostError);
    expect(kept.signal.reason).toMatchObject({ reason: "stolen" });
    expect(String(kept.signal.reason)).toContain("stuck scraper");
  });

  it("keeps retrying through a partition and aborts at the lease's own end, as expired, naming the last failure", async () => {
    const lease = await locks.acquire(request, { timeoutMs: 1_000 });
    const errors: unknown[] = [];
    const kept = keepLease(locks, lease, { ttlMs: 3_000, onTransientError: (e) => errors.push(e) });
    store.failWith = partition();
    await vi.advanceTimersByTimeAsync(2_999);
    expect(kept.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(kept.signal.aborted).toBe(true);
    expect(kept.signal.reason).toMatchObject({ name: "LeaseLostError", reason: "expired" });
    expect(String(kept.signal.reason)).toContain("lock store is unavailable");
    expect(errors.length).toBeGreaterThan(1);
    expect(errors.every((e) => e instanceof CoordinationUnavailableError)).toBe(true);
  });

  it("control: a short outage that a renewal outlives aborts nothing", async () => {
    const lease = await locks.acquire(request, { timeoutMs: 1_000 });
    const kept = keepLease(locks, lease, { ttlMs: 3_000 });
    store.failWith = partition();
    await vi.advanceTimersByTimeAsync(1_500);
    store.failWith = undefined;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(kept.signal.aborted).toBe(false);
    await kept.stop();
  });
});

describe("withLease", () => {
  beforeEach(() => vi.useFakeTimers().setSystemTime(START));
  afterEach(() => vi.useRealTimers());

  it("aborts work that ignores its signal when the lease is lost, and the lock is free again after it", async () => {
    const store = new InMemoryLockStore();
    const locks = new LockService(store, { clock });
    const admin = new LockService(store, { clock });
    let sawAbort = false;
    const running = withLease(locks, request, { timeoutMs: 1_000 }, async (lease, signal) => {
      signal.addEventListener("abort", () => (sawAbort = true));
      await admin.forceRelease(lease, "user:admin", "test");
      return new Promise<never>(() => undefined); // work that never ends by itself
    });
    const settled = expect(running).rejects.toMatchObject({ name: "LeaseLostError", reason: "stolen" });
    await vi.advanceTimersByTimeAsync(1_100);
    await settled;
    expect(sawAbort).toBe(true);
    expect((await admin.tryAcquire({ ...request, holder: "agent:b", requestKey: "b" })).acquired).toBe(true);
  });

  it("releases when the work ends, and hands back its result", async () => {
    const store = new InMemoryLockStore();
    const locks = new LockService(store, { clock });
    await expect(withLease(locks, request, { timeoutMs: 1_000 }, async (lease) => lease.token)).resolves.toBe(1);
    expect(store.rows.get(request.resource)?.exclusive).toBeUndefined();
    expect(store.rows.get(request.resource)?.ended).toEqual([expect.objectContaining({ how: "released", token: 1 })]);
  });
});
