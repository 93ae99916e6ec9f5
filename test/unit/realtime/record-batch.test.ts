import { describe, expect, it } from "vitest";
import type { EventLedger } from "#realtime/domain/ports";
import { type BusEventToRecord, recordBatch } from "#realtime/domain/record-batch";
import { CountingSequence, InMemoryEventHistory, InMemoryEventLedger, ManualClock } from "../../support/in-memory-connections";

const task = (eventId: string, taskId = eventId): BusEventToRecord => ({ eventId, type: "task_update", data: { taskId } });

function setUp() {
  const history = new InMemoryEventHistory();
  const ledger = new InMemoryEventLedger(history);
  const sequence = new CountingSequence(40);
  return { history, ledger, sequence, clock: new ManualClock() };
}
const seqsOf = (recorded: ReadonlyMap<string, { seq: number }>) =>
  Object.fromEntries([...recorded].map(([id, e]) => [id, e.seq]));

describe("recordBatch", () => {
  it("gives a batch's new events consecutive seqs in its order with one find, one reserve and one record", async () => {
    const deps = setUp();
    const batch = Array.from({ length: 30 }, (_, i) => task(`e${i}`));
    const { recorded } = await recordBatch(batch, deps);
    expect([...recorded.values()].map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => 41 + i));
    expect(deps.ledger.calls).toEqual(["find", "record"]);
    expect(deps.sequence.calls).toBe(1);
    expect(deps.history.streams.get("TOPIC#tasks")?.map((e) => e.seq)).toHaveLength(30);
  });

  it("keeps the first seq of an event delivered again, and reserves nothing when every event is known", async () => {
    const deps = setUp();
    const first = await recordBatch([task("a"), task("b")], deps);
    deps.clock.advance(5_000);
    const again = await recordBatch([task("b"), task("a")], deps);
    expect(seqsOf(again.recorded)).toEqual(seqsOf(first.recorded));
    expect(again.recorded.get("a")).toEqual(first.recorded.get("a"));
    expect(deps.sequence.calls).toBe(1);
    expect(deps.history.streams.get("TOPIC#tasks")).toHaveLength(2);
  });

  it("control: a ledger that remembers no marker gives the redelivered event a second seq, so the test above can fail", async () => {
    const deps = setUp();
    const forgetful: EventLedger = { find: async () => new Map(), record: async () => new Set() };
    const first = await recordBatch([task("a")], { ...deps, ledger: forgetful });
    const again = await recordBatch([task("a")], { ...deps, ledger: forgetful });
    expect(again.recorded.get("a")?.seq).not.toBe(first.recorded.get("a")?.seq);
  });

  it("records an event that is twice in one batch once", async () => {
    const deps = setUp();
    const { recorded } = await recordBatch([task("a"), task("b"), task("a")], deps);
    expect(seqsOf(recorded)).toEqual({ a: 41, b: 42 });
    expect(deps.history.streams.get("TOPIC#tasks")).toHaveLength(2);
  });

  it("takes the other delivery's event when it recorded the same bus event first, leaving its own seq unused", async () => {
    // GIVEN another broadcaster records b (as seq 7) between this one's find and record
    const deps = setUp();
    deps.ledger.recordFirst = {
      eventId: "b",
      stream: { topic: "tasks" },
      event: { type: "task_update", seq: 7, timestamp: "2026-11-23T09:59:59.000Z", data: { taskId: "b" } },
    };
    const { recorded } = await recordBatch([task("a"), task("b"), task("c")], deps);
    expect(seqsOf(recorded)).toEqual({ a: 41, b: 7, c: 43 });
    expect(deps.ledger.calls).toEqual(["find", "record", "find"]);
    expect(deps.history.streams.get("TOPIC#tasks")?.map((e) => e.seq)).toEqual([7, 41, 43]);
  });

  it("refuses an event whose room is not valid and records the rest", async () => {
    const deps = setUp();
    const bad: BusEventToRecord = { eventId: "r", type: "room_message", data: { room: "no spaces allowed!" } };
    const { recorded, refused } = await recordBatch([task("a"), bad, task("b")], deps);
    expect(seqsOf(recorded)).toEqual({ a: 41, b: 42 });
    expect([...refused.keys()]).toEqual(["r"]);
  });

  it("makes no call for a batch with nothing to record", async () => {
    const deps = setUp();
    expect((await recordBatch([], deps)).recorded.size).toBe(0);
    expect(deps.ledger.calls).toEqual([]);
  });

  it("fails when a marker that refused its write is gone by the time it is read, rather than guess a seq", async () => {
    const deps = setUp();
    const vanishing: EventLedger = {
      find: async () => new Map(),
      record: async (entries) => new Set(entries.map((e) => e.eventId)),
    };
    await expect(recordBatch([task("a")], { ...deps, ledger: vanishing })).rejects.toThrow(/recorded by another delivery/);
  });
});
