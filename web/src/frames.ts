import * as z from "zod";
import {
  type BatchFrameData,
  type FramePartData,
  type ReplayFrameData,
  SERVER_EVENT_TYPES,
  type ServerEvent,
  type ServerEventType,
} from "#realtime/published/protocol";

/**
 * Any frame the server sends, checked only as far as routing it needs: events carry a `seq`,
 * control frames do not. Panels check each event's `data` for themselves.
 */
const Frame = z.object({
  type: z.string().min(1),
  seq: z.number().int().min(0).optional(),
  timestamp: z.string().optional(),
  data: z.unknown(),
});

const EventSchema = z.object({
  type: z.enum(SERVER_EVENT_TYPES),
  seq: z.number().int().min(0),
  timestamp: z.string(),
  data: z.unknown(),
});

const FramePart = z.object({
  id: z.string().min(1),
  index: z.number().int().min(0),
  count: z.number().int().min(1),
  chunk: z.string(),
}) satisfies z.ZodType<FramePartData>;

const ReplayData = z.object({
  events: z.array(EventSchema),
  last: z.boolean(),
  truncated: z.boolean(),
  throughSeq: z.number().int().min(0),
}) satisfies z.ZodType<ReplayFrameData>;

const BatchData = z.object({ events: z.array(EventSchema).min(1) }) satisfies z.ZodType<BatchFrameData>;

const ErrorData = z.object({ code: z.string(), message: z.string() });

export type IncomingFrame =
  | { readonly kind: "event"; readonly event: ServerEvent }
  | { readonly kind: "frame_part"; readonly part: FramePartData }
  | { readonly kind: "replay"; readonly replay: ReplayFrameData }
  | { readonly kind: "batch"; readonly events: readonly ServerEvent[] }
  | { readonly kind: "error"; readonly code: string; readonly message: string }
  | { readonly kind: "control"; readonly type: string; readonly data: unknown; readonly timestamp?: string }
  | { readonly kind: "invalid"; readonly reason: string };

const isEventType = (type: string): type is ServerEventType => (SERVER_EVENT_TYPES as readonly string[]).includes(type);

/**
 * Classifies one text frame from the server. Never throws: a frame that is not JSON, or an event
 * without a `seq`, comes back as `invalid` with the reason, and the connection carries on.
 *
 * @example
 * parseFrame('{"type":"task_update","seq":7,"timestamp":"…","data":{…}}') // → { kind: "event", event: { type: "task_update", seq: 7, … } }
 */
export function parseFrame(text: string): IncomingFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: "invalid", reason: "not JSON" };
  }
  const frame = Frame.safeParse(value);
  if (!frame.success) return { kind: "invalid", reason: "no `type`" };
  const { type, data, timestamp } = frame.data;
  if (isEventType(type)) {
    const event = EventSchema.safeParse(value);
    return event.success ? { kind: "event", event: event.data } : { kind: "invalid", reason: `${type} without seq or timestamp` };
  }
  if (type === "frame_part") {
    const part = FramePart.safeParse(data);
    return part.success && part.data.index < part.data.count
      ? { kind: "frame_part", part: part.data }
      : { kind: "invalid", reason: "malformed frame_part" };
  }
  if (type === "batch") {
    const batch = BatchData.safeParse(data);
    return batch.success ? { kind: "batch", events: batch.data.events } : { kind: "invalid", reason: "malformed batch" };
  }
  if (type === "replay") {
    const replay = ReplayData.safeParse(data);
    return replay.success ? { kind: "replay", replay: replay.data } : { kind: "invalid", reason: "malformed replay" };
  }
  if (type === "error") {
    const error = ErrorData.safeParse(data);
    return error.success
      ? { kind: "error", code: error.data.code, message: error.data.message }
      : { kind: "error", code: "unknown", message: JSON.stringify(data) };
  }
  return { kind: "control", type, data, ...(timestamp ? { timestamp } : {}) };
}

export interface FrameAssemblerOptions {
  /** A frame whose parts stop arriving is dropped this long after its first part. @default 30000 */
  readonly ttlMs?: number;
  /** Frames being assembled at once; the oldest is dropped beyond this. @default 32 */
  readonly maxPending?: number;
  /** Parts one frame may have; more is taken as a malformed frame. @default 1024 */
  readonly maxParts?: number;
}

/**
 * Joins `frame_part` frames back into the frame they were cut from. Parts may arrive in any
 * order and a repeated part is harmless; a frame whose parts never all arrive (the socket
 * dropped halfway) is forgotten after `ttlMs`, so memory stays bounded.
 */
export class FrameAssembler {
  private readonly pending = new Map<
    string,
    { count: number; chunks: (string | undefined)[]; received: number; firstAt: number }
  >();
  private readonly ttlMs: number;
  private readonly maxPending: number;
  private readonly maxParts: number;

  constructor(options: FrameAssemblerOptions = {}) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.maxPending = options.maxPending ?? 32;
    this.maxParts = options.maxParts ?? 1_024;
  }

  /** Adds a part; returns the whole frame's text once its last missing part arrives. */
  accept(part: FramePartData, now: number): string | undefined {
    this.evictStale(now);
    if (part.count > this.maxParts || part.index >= part.count) return undefined;
    let entry = this.pending.get(part.id);
    if (entry && entry.count !== part.count) {
      // Two frames cannot share an id; a part that disagrees on the count means the first is garbage.
      this.pending.delete(part.id);
      entry = undefined;
    }
    if (!entry) {
      entry = { count: part.count, chunks: new Array<string | undefined>(part.count).fill(undefined), received: 0, firstAt: now };
      this.pending.set(part.id, entry);
      if (this.pending.size > this.maxPending) {
        const oldest = this.pending.keys().next().value;
        if (oldest !== undefined) this.pending.delete(oldest);
      }
    }
    if (entry.chunks[part.index] === undefined) {
      entry.chunks[part.index] = part.chunk;
      entry.received++;
    }
    if (entry.received < entry.count) return undefined;
    this.pending.delete(part.id);
    return entry.chunks.join("");
  }

  /** Frames still missing parts. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Forgets every partial frame, e.g. when the socket they came on closes. */
  clear(): void {
    this.pending.clear();
  }

  private evictStale(now: number): void {
    for (const [id, entry] of this.pending) if (now - entry.firstAt > this.ttlMs) this.pending.delete(id);
  }
}

/**
 * Which events this client has already applied. An event can reach the client twice — live and
 * again in a replay, or live on two overlapping connections during a reconnect — and must be
 * applied once. `lastSeq` is the greatest `seq` seen: what to replay from after a drop.
 */
export class SeqTracker {
  private readonly seen = new Set<number>();
  private readonly order: number[] = [];
  private last: number | undefined;
  /** The greatest seq forgotten to keep memory bounded; anything at or below it counts as seen. */
  private floor = -1;

  /** @param capacity how many recent seqs to remember exactly */
  constructor(private readonly capacity = 10_000) {}

  /** Records `seq`; returns false when it was seen before (the event is a duplicate). */
  accept(seq: number): boolean {
    if (seq <= this.floor || this.seen.has(seq)) return false;
    this.seen.add(seq);
    this.order.push(seq);
    if (this.order.length > this.capacity) {
      const dropped = this.order.shift();
      if (dropped !== undefined) {
        this.seen.delete(dropped);
        this.floor = Math.max(this.floor, dropped);
      }
    }
    this.advanceTo(seq);
    return true;
  }

  /** Moves `lastSeq` forward without an event, e.g. to a replay's `throughSeq`. */
  advanceTo(seq: number): void {
    if (this.last === undefined || seq > this.last) this.last = seq;
  }

  get lastSeq(): number | undefined {
    return this.last;
  }
}
