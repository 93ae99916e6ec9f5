import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LeaseLostError, LockTimeoutError } from "#coordination/domain/errors";
import { CLOCK_SKEW_MARGIN_MS } from "#coordination/domain/lock-protocol";
import { type LockRequest, LockService } from "#coordination/domain/lock-service";
import { InMemoryLockStore } from "../../support/in-memory-lock-store";

const START = new Date("2026-12-01T10:00:00.000Z");
const clock = { now: () => new Date() };
const request = (over: Partial<LockRequest> = {}): LockRequest => ({
  resource: "settings/keyword-config",
  mode: "exclusive",
  ttlMs: 5_000,
  holder: "agent:a",
  requestKey: "a-1",
  ...over,
});

describe("LockService", () => {
  let store: InMemoryLockStore;
  beforeEach(() => {
    vi.useFakeTimers().setSystemTime(START);
    store = new InMemoryLockStore();
  });
  afterEach(() => vi.useRealTimers());

  it("of 20 concurrent acquires of one resource, one wins; every later grant has a greater token", async () => {
    // GIVEN twenty clients, each with its own service over one store
    const clients = Array.from({ length: 20 }, () => new LockService(store, { clock }));
    // WHEN they all ask at once
    const results = await Promise.all(
      clients.map((locks, i) => locks.tryAcquire(request({ holder: `agent:${i}`, requestKey: `k${i}` }))),
    );
    // THEN exactly one holds it, and the others are told who
    const winners = results.flatMap((r) => (r.acquired ? [r.lease] : []));
    expect(winners).toHaveLength(1);
    const winner = winners[0];
    for (const r of results.filter((x) => !x.acquired)) {
      expect(r).toEqual({ acquired: false, blockers: [expect.objectContaining({ holder: winner?.holder, token: 1 })] });
    }
    await clients[0]?.release(winner ?? { leaseId: "", resource: "", token: 0 });
    const second = await clients[5]?.tryAcquire(request({ holder: "agent:5", requestKey: "k5-again" }));
    expect(second?.acquired && second.lease.token).toBe(2);
  });

  it("a retried acquire with the same request key gets the same lease and token back", async () => {
    const locks = new LockService(store, { clock });
    const first = await locks.tryAcquire(request());
    const again = await new LockService(store, { clock }).tryAcquire(request());
    expect(first.acquired && again.acquired).toBe(true);
    if (!first.acquired || !again.acquired) return;
    expect(again.lease).toEqual(first.lease);
    expect(again.replayed).toBe(true);
    expect(store.rows.get("settings/keyword-config")?.fence).toBe(1);
  });

  it("a crashed holder's lock is taken over at its end plus the skew margin, not a moment before", async () => {
    const crashed = new LockService(store, { clock });
    const taker = new LockService(store, { clock });
    const first = await crashed.tryAcquire(request());
    expect(first.acquired).toBe(true);
    vi.setSystemTime(START.getTime() + 5_000 + CLOCK_SKEW_MARGIN_MS - 1);
    expect((await taker.tryAcquire(request({ holder: "agent:b", requestKey: "b-1" }))).acquired).toBe(false);
    vi.setSystemTime(START.getTime() + 5_000 + CLOCK_SKEW_MARGIN_MS);
    const taken = await taker.tryAcquire(request({ holder: "agent:b", requestKey: "b-1" }));
    expect(taken.acquired && taken.lease.token).toBe(2);
    expect(store.rows.get("settings/keyword-config")?.ended).toEqual([expect.objectContaining({ token: 1, how: "expired" })]);
  });

  it("release and heartbeat never revive a released lease, in either order", async () => {
    const holder = new LockService(store, { clock });
    const got = await holder.tryAcquire(request());
    if (!got.acquired) throw new Error("not acquired");
    // Both at once: whichever lands first, the lease ends released.
    const [renewed, released] = await Promise.allSettled([holder.renew(got.lease, 5_000), holder.release(got.lease)]);
    expect(released).toEqual({ status: "fulfilled", value: { released: true, lease: expect.objectContaining({ token: 1 }) } });
    expect(renewed.status).toBe("fulfilled");
    await expect(holder.renew(got.lease, 5_000)).rejects.toThrow(LeaseLostError);
    await expect(new LockService(store, { clock }).renew(got.lease, 5_000)).rejects.toMatchObject({ reason: "released" });
    expect(store.rows.get("settings/keyword-config")?.exclusive).toBeUndefined();
  });

  it("a renewal after the holder's own clock passed the end is refused as expired", async () => {
    const holder = new LockService(store, { clock });
    const got = await holder.tryAcquire(request());
    if (!got.acquired) throw new Error("not acquired");
    vi.setSystemTime(START.getTime() + 5_000);
    await expect(holder.renew(got.lease, 5_000)).rejects.toMatchObject({ name: "LeaseLostError", reason: "expired" });
  });

  it("a waiting writer holds back new readers; readers drain, and the writer gets in within the longest reader lease", async () => {
    const readers = new LockService(store, { clock });
    const writer = new LockService(store, { clock, random: () => 0.5 });
    const r1 = await readers.tryAcquire(request({ mode: "shared", holder: "agent:r1", requestKey: "r1" }));
    if (!r1.acquired) throw new Error("no reader lease");
    // The writer waits (and takes its place in line)…
    const waiting = writer.acquire(request({ holder: "agent:w", requestKey: "w" }), { timeoutMs: 10_000 });
    await vi.advanceTimersByTimeAsync(100);
    // …so a new reader is refused, naming the waiting writer
    const r2 = await readers.tryAcquire(request({ mode: "shared", holder: "agent:r2", requestKey: "r2" }));
    expect(r2).toEqual({ acquired: false, blockers: [expect.objectContaining({ holder: "agent:w", waiting: true })] });
    // …and the first reader's renewal does not extend its lease
    const renewed = await readers.renew(r1.lease, 5_000);
    expect(renewed.expiresAt).toBe(r1.lease.expiresAt);
    // The writer gets in once the reader's lease has lapsed (it never released: the worst case)
    await vi.advanceTimersByTimeAsync(5_000 + CLOCK_SKEW_MARGIN_MS + 500);
    const lease = await waiting;
    expect(lease.token).toBe(2);
    expect(Date.parse(lease.acquiredAt) - START.getTime()).toBeLessThanOrEqual(5_000 + CLOCK_SKEW_MARGIN_MS + 500);
  });

  it("acquire gives up after its timeout, naming the holder and its token", async () => {
    await new LockService(store, { clock }).tryAcquire(request({ ttlMs: 60_000 }));
    const waiting = new LockService(store, { clock }).acquire(request({ holder: "agent:b", requestKey: "b" }), {
      timeoutMs: 1_000,
    });
    const failed = expect(waiting).rejects.toMatchObject({
      name: "LockTimeoutError",
      blockers: [expect.objectContaining({ holder: "agent:a", token: 1 })],
    });
    await vi.advanceTimersByTimeAsync(1_500);
    await failed;
    await expect(waiting).rejects.toThrow(LockTimeoutError);
  });

  it("a set is acquired all or nothing, in name order; a refusal names each holder and token", async () => {
    const other = new LockService(store, { clock });
    await other.tryAcquire(request({ resource: "fleet/data-quality", holder: "agent:x", requestKey: "x" }));
    const locks = new LockService(store, { clock });
    const refused = await locks.tryAcquireAll([
      request({ resource: "settings/keyword-config" }),
      request({ resource: "fleet/data-quality" }),
    ]);
    expect(refused).toEqual({
      acquired: false,
      blockers: [expect.objectContaining({ resource: "fleet/data-quality", holder: "agent:x", token: 1 })],
    });
    expect(store.rows.has("settings/keyword-config")).toBe(false);
    const granted = await locks.tryAcquireAll([
      request({ resource: "settings/keyword-config" }),
      request({ resource: "settings/sources" }),
    ]);
    expect(granted.acquired && granted.leases.map((l) => [l.resource, l.token])).toEqual([
      ["settings/keyword-config", 1],
      ["settings/sources", 1],
    ]);
  });
});
