import { randomUUID } from "node:crypto";
import type { ControlFrame, FramePartData } from "../published/protocol";

/** API Gateway's WebSocket frame limit. */
export const MAX_FRAME_BYTES = 32 * 1024;
/**
 * UTF-16 code units per part. Each unit costs at most 3 bytes in UTF-8 and at most 2 once the
 * part is escaped again inside JSON (the text being cut is already JSON, so it holds no raw
 * control characters), so a part plus its small envelope stays well under the limit.
 */
const PART_UNITS = 8_000;

/**
 * The wire frames for one frame: the frame itself when it fits, otherwise `frame_part` frames
 * the client joins back together in order (see FramePartData).
 *
 * @example
 * for (const wire of wireFrames(JSON.stringify(event))) await gateway.post(connectionId, wire);
 */
export function wireFrames(frame: string, now: Date = new Date(), id: () => string = randomUUID): string[] {
  if (Buffer.byteLength(frame, "utf8") <= MAX_FRAME_BYTES) return [frame];
  const chunks: string[] = [];
  for (let start = 0; start < frame.length;) {
    let end = Math.min(frame.length, start + PART_UNITS);
    // Never cut a surrogate pair: half a character is not valid UTF-8 on the wire.
    if (end < frame.length && isHighSurrogate(frame.charCodeAt(end - 1))) end--;
    chunks.push(frame.slice(start, end));
    start = end;
  }
  const partId = id();
  return chunks.map((chunk, index) => {
    const part: ControlFrame<FramePartData> = {
      type: "frame_part",
      timestamp: now.toISOString(),
      data: { id: partId, index, count: chunks.length, chunk },
    };
    return JSON.stringify(part);
  });
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/**
 * Joins `frame_part` frames back into the frame they were cut from (what clients do).
 * @throws Error when parts are missing or belong to different frames.
 */
export function joinFrameParts(parts: readonly FramePartData[]): string {
  const [first] = parts;
  if (!first) throw new Error("no parts to join");
  const sorted = [...parts].sort((a, b) => a.index - b.index);
  const complete = sorted.length === first.count && sorted.every((part, index) => part.index === index && part.id === first.id);
  if (!complete) throw new Error(`frame ${first.id} has ${sorted.length} of ${first.count} parts`);
  return sorted.map((part) => part.chunk).join("");
}
