import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { joinFrameParts, MAX_FRAME_BYTES, wireFrames } from "#realtime/domain/frames";
import type { ControlFrame, FramePartData } from "#realtime/published/protocol";

const now = new Date("2026-11-23T10:00:00.000Z");
const bytes = (text: string) => Buffer.byteLength(text, "utf8");
const partsOf = (wires: readonly string[]) => wires.map((wire) => (JSON.parse(wire) as ControlFrame<FramePartData>).data);

/**
 * A frame of about 100 KB whose text is packed with 3-byte characters and emoji, so the cut
 * points land next to (and between halves of) surrogate pairs.
 */
function bigFrame(): string {
  const text = 'Ünïcödé — 中文字符 — 🚀🌕🐋 — "quoted" \\ back\\slash — '.repeat(1_700);
  return JSON.stringify({ type: "task_update", seq: 1, timestamp: now.toISOString(), data: { text } });
}

describe("wireFrames", () => {
  it("sends a frame within the limit as it is", () => {
    const frame = JSON.stringify({ type: "metrics", seq: 1, data: "x".repeat(MAX_FRAME_BYTES - 100) });
    expect(bytes(frame)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(wireFrames(frame, now)).toEqual([frame]);
  });

  it("sends a frame of exactly the limit as it is", () => {
    const frame = "x".repeat(MAX_FRAME_BYTES);
    expect(wireFrames(frame, now)).toEqual([frame]);
  });

  it("cuts a 100 KB frame into frame_part frames, each within the limit, that join back to the exact original", () => {
    // GIVEN
    const frame = bigFrame();
    expect(bytes(frame)).toBeGreaterThan(100_000);
    // WHEN
    const wires = wireFrames(frame, now, () => "part-1");
    // THEN
    expect(wires.length).toBeGreaterThan(1);
    for (const wire of wires) {
      expect(bytes(wire)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
      expect(JSON.parse(wire)).toMatchObject({ type: "frame_part", timestamp: now.toISOString(), data: { id: "part-1" } });
    }
    const parts = partsOf(wires);
    expect(parts.map((part) => [part.index, part.count])).toEqual(parts.map((_, index) => [index, parts.length]));
    expect(joinFrameParts(parts)).toBe(frame);
  });

  it("never leaves half of a surrogate pair at either end of a part", () => {
    // An emoji at every position means some cut lands right after a high surrogate.
    const frame = JSON.stringify({ text: "🚀".repeat(30_000) });
    const parts = partsOf(wireFrames(frame, now));
    expect(parts.length).toBeGreaterThan(1);
    const isHigh = (code: number) => code >= 0xd800 && code <= 0xdbff;
    const isLow = (code: number) => code >= 0xdc00 && code <= 0xdfff;
    for (const { chunk } of parts) {
      expect(isLow(chunk.charCodeAt(0))).toBe(false);
      expect(isHigh(chunk.charCodeAt(chunk.length - 1))).toBe(false);
    }
    expect(joinFrameParts(parts)).toBe(frame);
  });
});

describe("joinFrameParts", () => {
  it("joins parts given out of order", () => {
    const frame = bigFrame();
    const parts = partsOf(wireFrames(frame, now));
    expect(joinFrameParts([...parts].reverse())).toBe(frame);
  });

  it("refuses to join when a part is missing", () => {
    const parts = partsOf(wireFrames(bigFrame(), now, () => "f1"));
    const withoutSecond = parts.filter((part) => part.index !== 1);
    expect(() => joinFrameParts(withoutSecond)).toThrow(`frame f1 has ${parts.length - 1} of ${parts.length} parts`);
  });

  it("refuses to join parts of different frames", () => {
    const first = partsOf(wireFrames(bigFrame(), now, () => "f1"));
    const second = partsOf(wireFrames(bigFrame(), now, () => "f2"));
    const mixed = first.map((part, index) => (index === 1 ? { ...(second[1] as FramePartData) } : part));
    expect(() => joinFrameParts(mixed)).toThrow(/f1/);
  });

  it("refuses to join nothing", () => {
    expect(() => joinFrameParts([])).toThrow("no parts to join");
  });
});

describe("wireFrames and joinFrameParts, for any frame", () => {
  // Frames are always JSON text (sendFrame stringifies them), as wireFrames requires, so the
  // property draws arbitrary strings (any code point, emoji included) and sends them as JSON.
  const text = fc.oneof(
    fc.string({ unit: "binary", minLength: 1, maxLength: 20_000, size: "max" }),
    fc.string({ unit: fc.constantFrom("a", "é", "中", "🚀", '"', "\\", "\n", "\u2028"), maxLength: 40_000, size: "max" }),
  );

  it("joins back to the exact frame, and every wire frame is within the limit", () => {
    let cut = 0;
    fc.assert(
      fc.property(text, (value) => {
        const frame = JSON.stringify({ type: "task_update", seq: 1, data: { value } });
        const wires = wireFrames(frame, now);
        if (wires.length > 1) cut++;
        for (const wire of wires) expect(bytes(wire)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
        const joined = wires.length === 1 ? wires[0] : joinFrameParts(partsOf(wires));
        expect(joined).toBe(frame);
      }),
      { numRuns: 100 },
    );
    // The property must have met frames over the limit, or it proved nothing about cutting.
    expect(cut).toBeGreaterThan(20);
  });
});
