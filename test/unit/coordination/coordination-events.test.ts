import { describe, expect, it } from "vitest";
import { lockEvents } from "#coordination/domain/coordination-events";
import { planAcquire, planForceRelease, planRelease, type ProtocolTime } from "#coordination/domain/lock-protocol";
import { emptyLock, type LockState } from "#coordination/domain/lock-state";

const t = (now: number): ProtocolTime => ({ now, marginMs: 2_000 });
const ask = { resource: "fleet/data-quality", mode: "exclusive" as const, ttlMs: 5_000, holder: "agent:a", requestKey: "a" };

function granted(state: LockState, now: number, over = {}): LockState {
  const plan = planAcquire(state, { ...ask, ...over }, t(now));
  if (plan.outcome !== "granted") throw new Error(plan.outcome);
  return plan.next;
}

describe("lock events", () => {
  it("a grant is acquired; a release released; a forced release stolen with who and why", () => {
    const first = granted(emptyLock("fleet/data-quality"), 0);
    expect(lockEvents(undefined, first).map((e) => [e.kind, e.lease?.token])).toEqual([["acquired", 1]]);
    const lease = { leaseId: first.exclusive?.leaseId ?? "", resource: first.resource, token: 1 };
    const released = planRelease(first, lease, t(10));
    if (released.outcome !== "released") throw new Error("not released");
    expect(lockEvents(first, released.next).map((e) => e.kind)).toEqual(["released"]);
    const again = granted(released.next, 20, { requestKey: "a2" });
    const stolen = planForceRelease(
      again,
      { ...lease, leaseId: again.exclusive?.leaseId ?? "", token: 2 },
      "user:admin",
      "stuck",
      t(30),
    );
    if (stolen.outcome !== "released") throw new Error("not stolen");
    expect(lockEvents(again, stolen.next)).toEqual([
      expect.objectContaining({ kind: "stolen", by: "user:admin", reason: "stuck" }),
    ]);
  });

  it("a takeover is the old lease expired, then the new one acquired; a redelivered record makes the same ids", () => {
    const first = granted(emptyLock("fleet/data-quality"), 0);
    const taken = granted(first, 5_000 + 2_000, { holder: "agent:b", requestKey: "b" });
    const events = lockEvents(first, taken);
    expect(events.map((e) => [e.kind, e.lease?.token, e.lease?.holder])).toEqual([
      ["expired", 1, "agent:a"],
      ["acquired", 2, "agent:b"],
    ]);
    expect(lockEvents(first, taken).map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
  });

  it("a renewal announces nothing", () => {
    const first = granted(emptyLock("fleet/data-quality"), 0);
    const renewed = { ...first, version: 2, exclusive: first.exclusive && { ...first.exclusive, expiresAt: 9_000 } };
    expect(lockEvents(first, renewed)).toEqual([]);
  });
});
