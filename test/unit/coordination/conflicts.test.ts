import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type ClaimRequest, rank } from "#coordination/domain/conflicts";
import { lockEvents } from "#coordination/domain/coordination-events";
import { LockService } from "#coordination/domain/lock-service";
import { InMemoryLockStore } from "../../support/in-memory-lock-store";

const START = Date.parse("2026-12-01T10:00:00.000Z");
const clock = { now: () => new Date() };
const claim = (over: Partial<ClaimRequest>): ClaimRequest => ({
  claimId: "c1",
  claimant: "optimization:r1",
  resources: ["settings/keyword-config"],
  priority: 1,
  createdAt: START,
  confidence: 0.5,
  ttlMs: 60_000,
  ...over,
});

describe("conflict resolution policy", () => {
  it("priority first, then age, then confidence, then the claim id", () => {
    const base = { claimId: "a", priority: 1, createdAt: 10, confidence: 0.5 };
    expect(rank(base, { ...base, claimId: "b", priority: 2 })).toMatchObject({ winner: { claimId: "b" }, decidedBy: "priority" });
    expect(rank(base, { ...base, claimId: "b", createdAt: 5 })).toMatchObject({ winner: { claimId: "b" }, decidedBy: "age" });
    expect(rank(base, { ...base, claimId: "b", confidence: 0.9 })).toMatchObject({
      winner: { claimId: "b" },
      decidedBy: "confidence",
    });
    expect(rank({ ...base, claimId: "b" }, base)).toMatchObject({ winner: { claimId: "a" }, decidedBy: "claimId" });
  });
});

describe("claims on overlapping resources", () => {
  beforeEach(() => vi.useFakeTimers().setSystemTime(START));
  afterEach(() => vi.useRealTimers());

  it("a higher-priority newcomer wins over a contender that has not started; the conflict is recorded once across rows", async () => {
    const store = new InMemoryLockStore();
    const locks = new LockService(store, { clock });
    expect(await locks.declareClaim(claim({ resources: ["settings/a", "settings/b"] }))).toEqual({ outcome: "proceed" });
    const second = await locks.declareClaim(
      claim({ claimId: "c2", claimant: "agent:x", resources: ["settings/b"], priority: 3 }),
    );
    expect(second).toEqual({ outcome: "proceed" });
    // The first learns it yielded when it tries to start.
    expect(await locks.commitClaim("c1", ["settings/a", "settings/b"])).toMatchObject({ outcome: "yield", to: "c2" });
    const row = store.rows.get("settings/b");
    expect(row?.conflicts).toEqual([expect.objectContaining({ claimId: "c2", winner: "c2", decidedBy: "priority" })]);
    const before = store.writes.find((w) => w.resource === "settings/b" && w.version === 1);
    if (!row) throw new Error("no row");
    const events = lockEvents(before, row);
    expect(events.map((e) => [e.kind, e.eventId, e.conflict?.winner])).toEqual([["conflict", "conflict:c2", "c2"]]);
  });

  it("a claim that already started keeps going: the newcomer yields, whatever its priority", async () => {
    const locks = new LockService(new InMemoryLockStore(), { clock });
    await locks.declareClaim(claim({}));
    expect(await locks.commitClaim("c1", ["settings/keyword-config"])).toEqual({ outcome: "proceed" });
    expect(await locks.declareClaim(claim({ claimId: "c2", priority: 9 }))).toEqual({
      outcome: "yield",
      to: "c1",
      decidedBy: "committed",
    });
  });

  it("control: starting on the declaration's verdict alone, without the commit check, lets two overlapping claims start", async () => {
    const locks = new LockService(new InMemoryLockStore(), { clock });
    const first = await locks.declareClaim(claim({}));
    const second = await locks.declareClaim(claim({ claimId: "c2", priority: 5 }));
    // Both were told "proceed" when they declared; only the commit tells the first it has since yielded.
    expect([first.outcome, second.outcome]).toEqual(["proceed", "proceed"]);
    expect((await locks.commitClaim("c1", ["settings/keyword-config"])).outcome).toBe("yield");
  });

  it("(property) of claims declared and committed in any order on overlapping resources, never two overlapping ones both start", async () => {
    const resources = ["r/a", "r/b", "r/c"];
    const arbitrary = fc.array(
      fc.record({
        resources: fc.subarray(resources, { minLength: 1 }),
        priority: fc.integer({ min: 0, max: 2 }),
        age: fc.integer({ min: 0, max: 3 }),
        confidence: fc.constantFrom(0.2, 0.5, 0.9),
        commitAfter: fc.integer({ min: 0, max: 3 }),
      }),
      { minLength: 2, maxLength: 8 },
    );
    await fc.assert(
      fc.asyncProperty(arbitrary, async (claims) => {
        const locks = new LockService(new InMemoryLockStore(), { clock });
        const started: { id: string; resources: string[] }[] = [];
        const pending: { id: string; resources: string[]; at: number }[] = [];
        for (const [i, c] of claims.entries()) {
          const id = `c${i}`;
          await locks.declareClaim(
            claim({
              claimId: id,
              resources: c.resources,
              priority: c.priority,
              createdAt: START - c.age * 1_000,
              confidence: c.confidence,
            }),
          );
          pending.push({ id, resources: c.resources, at: i + c.commitAfter });
          for (const p of pending.filter((x) => x.at <= i)) {
            pending.splice(pending.indexOf(p), 1);
            if ((await locks.commitClaim(p.id, p.resources)).outcome === "proceed") started.push(p);
          }
        }
        for (const p of pending) if ((await locks.commitClaim(p.id, p.resources)).outcome === "proceed") started.push(p);
        for (const a of started)
          for (const b of started) {
            if (a !== b)
              expect(
                a.resources.some((r) => b.resources.includes(r)),
                `${a.id} and ${b.id} both started`,
              ).toBe(false);
          }
      }),
      { numRuns: 200 },
    );
  });
});
