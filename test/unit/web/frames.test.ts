import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FramePartData } from "#realtime/published/protocol";
import { FrameAssembler, parseFrame, SeqTracker } from "../../../web/src/frames";

/** Cuts `text` into `frame_part` data the way the protocol describes (FramePartData). */
function cut(text: string, id: string, size: number): FramePartData[] {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
  return chunks.map((chunk, index) => ({ id, index, count: chunks.length, chunk }));
}

describe("parseFrame", () => {
  it("reads an event with its seq", () => {
    const frame = parseFrame(
      JSON.stringify({ type: "task_update", seq: 7, timestamp: "2025-01-01T00:00:00Z", data: { taskId: "t" } }),
    );
    expect(frame).toEqual({
      kind: "event",
      event: { type: "task_update", seq: 7, timestamp: "2025-01-01T00:00:00Z", data: { taskId: "t" } },
    });
  });

  it("reads a batch frame as its events, in order, and refuses one whose events lack a seq", () => {
    const events = [7, 8].map((seq) => ({ type: "task_update", seq, timestamp: "2025-01-01T00:00:00Z", data: { seq } }));
    expect(parseFrame(JSON.stringify({ type: "batch", timestamp: "t", data: { events } }))).toEqual({ kind: "batch", events });
    expect(
      parseFrame(JSON.stringify({ type: "batch", timestamp: "t", data: { events: [{ type: "task_update", data: {} }] } })),
    ).toMatchObject({ kind: "invalid", reason: "malformed batch" });
  });

  it("refuses an event without a seq rather than applying it undeduplicated", () => {
    expect(parseFrame(JSON.stringify({ type: "task_update", timestamp: "t", data: {} }))).toMatchObject({ kind: "invalid" });
  });

  it("reads replay, frame_part and error frames, and passes other control frames through", () => {
    const replay = { events: [], last: true, truncated: false, throughSeq: 4 };
    expect(parseFrame(JSON.stringify({ type: "replay", timestamp: "t", data: replay }))).toEqual({ kind: "replay", replay });
    expect(
      parseFrame(JSON.stringify({ type: "frame_part", timestamp: "t", data: { id: "a", index: 0, count: 2, chunk: "{" } })),
    ).toEqual({
      kind: "frame_part",
      part: { id: "a", index: 0, count: 2, chunk: "{" },
    });
    expect(parseFrame(JSON.stringify({ type: "error", timestamp: "t", data: { code: "unknown_type", message: "no" } }))).toEqual({
      kind: "error",
      code: "unknown_type",
      message: "no",
    });
    expect(parseFrame(JSON.stringify({ type: "subscribed", timestamp: "t", data: { subscriptions: ["all"] } }))).toMatchObject({
      kind: "control",
      type: "subscribed",
    });
  });

  it("never throws on garbage", () => {
    for (const text of [
      "",
      "not json",
      "null",
      "[]",
      '{"type":1}',
      '{"type":"frame_part","data":{"id":"a","index":3,"count":2}}',
    ]) {
      expect(parseFrame(text).kind).toBe("invalid");
    }
  });
});

describe("FrameAssembler", () => {
  const frame = JSON.stringify({
    type: "replay",
    timestamp: "t",
    data: { events: [], last: true, truncated: false, throughSeq: 9, pad: "x".repeat(100) },
  });

  it("joins parts that arrive in any order, repeated or not, into the original frame", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.func(fc.integer()),
        fc.array(fc.nat(), { maxLength: 5 }),
        (size, order, repeats) => {
          // GIVEN the frame cut into parts, shuffled, some delivered twice
          const parts = cut(frame, "f1", size);
          const shuffled = [...parts].sort((a, b) => order(a.index) - order(b.index));
          const delivered = [...shuffled, ...repeats.map((r) => parts[r % parts.length] as FramePartData)];
          // WHEN they are accepted one by one
          const assembler = new FrameAssembler();
          const results = delivered.map((part) => assembler.accept(part, 0)).filter((r) => r !== undefined);
          // THEN the frame comes out whole as soon as its last part arrives (a repeat of every part
          // yields it again, which the seq dedupe then catches)
          return results.length >= 1 && results.every((r) => r === frame) && assembler.pendingCount <= 1;
        },
      ),
    );
  });

  it("keeps frames apart by id", () => {
    const assembler = new FrameAssembler();
    const a = cut("AAAAAA", "a", 2);
    const b = cut("BBBB", "b", 2);
    expect([a[0], b[0], a[1], b[1], a[2]].map((part) => assembler.accept(part as FramePartData, 0))).toEqual([
      undefined,
      undefined,
      undefined,
      "BBBB",
      "AAAAAA",
    ]);
  });

  it("forgets a frame whose parts stopped coming, so memory stays bounded", () => {
    const assembler = new FrameAssembler({ ttlMs: 1_000, maxPending: 2 });
    const parts = cut("abcdef", "slow", 2);
    assembler.accept(parts[0] as FramePartData, 0);
    expect(assembler.pendingCount).toBe(1);
    // The rest arrives after the TTL: the first part is gone, so the frame is never completed.
    expect(assembler.accept(parts[1] as FramePartData, 2_000)).toBeUndefined();
    expect(assembler.accept(parts[2] as FramePartData, 2_000)).toBeUndefined();
    // And no more than maxPending partial frames are held.
    for (const id of ["x", "y", "z"]) assembler.accept({ id, index: 0, count: 2, chunk: "" }, 2_000);
    expect(assembler.pendingCount).toBe(2);
  });
});

describe("SeqTracker", () => {
  it("accepts each seq once and remembers the greatest as lastSeq", () => {
    const tracker = new SeqTracker();
    expect([5, 3, 5, 9, 3, 7].map((seq) => tracker.accept(seq))).toEqual([true, true, false, true, false, true]);
    expect(tracker.lastSeq).toBe(9);
  });

  it("moves lastSeq to a replay's throughSeq but never back", () => {
    const tracker = new SeqTracker();
    expect(tracker.lastSeq).toBeUndefined();
    tracker.advanceTo(20);
    tracker.advanceTo(12);
    expect(tracker.lastSeq).toBe(20);
  });

  it("stays bounded and still refuses seqs older than what it forgot", () => {
    const tracker = new SeqTracker(3);
    for (const seq of [1, 2, 3, 4, 5]) tracker.accept(seq);
    expect(tracker.accept(1)).toBe(false);
    expect(tracker.accept(4)).toBe(false);
    expect(tracker.accept(6)).toBe(true);
  });
});
