import type { Clock } from "#shared/clock";
import type { EventLedger, EventToRecord, SequenceSource } from "./ports";
import type { ServerEvent, ServerEventType, Stream } from "../published/protocol";
import { streamOf } from "./record-event";

/** A bus event the dashboard shows, as the broadcaster took it off its queue. */
export interface BusEventToRecord {
  /** The bus event's id: the same on every delivery of it. */
  readonly eventId: string;
  readonly type: ServerEventType;
  readonly data: unknown;
}

/** What recording a batch gave: each bus event id's server event, and the events that name no valid stream. */
export interface BatchRecording {
  readonly recorded: ReadonlyMap<string, ServerEvent>;
  readonly refused: ReadonlyMap<string, Error>;
}

/**
 * Gives every event of a batch its place in its stream once, however often it is delivered
 * (ADR 0024), in three calls whatever the batch's size:
 *
 *   find       markers of the batch's ids       → events delivered before keep their first seq
 *   reserve    n seqs for the n new ones         → one write of the sequence row, not n
 *   record     history + marker of each new one  → a marker another delivery took first means
 *                                                   that delivery's event is the one: it is read
 *
 * New events take their seqs in the batch's order. A seq reserved for an event that another
 * delivery recorded first stays unused: clients see a gap, replay it and find nothing there,
 * as after any recording that failed half-way.
 *
 * @example
 * const { recorded } = await recordBatch([{ eventId: "e1", type: "task_update", data }], deps);
 * recorded.get("e1"); // → { type: "task_update", seq: 42, timestamp, data }
 */
export async function recordBatch(
  items: readonly BusEventToRecord[],
  deps: { readonly sequence: SequenceSource; readonly ledger: EventLedger; readonly clock: Clock },
): Promise<BatchRecording> {
  const refused = new Map<string, Error>();
  const unique = new Map<string, BusEventToRecord & { stream: Stream }>();
  for (const item of items) {
    if (unique.has(item.eventId) || refused.has(item.eventId)) continue;
    try {
      unique.set(item.eventId, { ...item, stream: streamOf(item.type, item.data) });
    } catch (error) {
      refused.set(item.eventId, error instanceof Error ? error : new Error(String(error)));
    }
  }
  if (unique.size === 0) return { recorded: new Map(), refused };

  const recorded = await deps.ledger.find([...unique.keys()]);
  const fresh = [...unique.values()].filter((item) => !recorded.has(item.eventId));
  if (fresh.length === 0) return { recorded, refused };

  const first = await deps.sequence.reserve(fresh.length);
  const timestamp = deps.clock.now().toISOString();
  const entries: EventToRecord[] = fresh.map((item, index) => ({
    eventId: item.eventId,
    stream: item.stream,
    event: { type: item.type, seq: first + index, timestamp, data: item.data },
  }));
  const takenFirst = await deps.ledger.record(entries);
  for (const entry of entries) if (!takenFirst.has(entry.eventId)) recorded.set(entry.eventId, entry.event);
  if (takenFirst.size > 0) {
    const theirs = await deps.ledger.find([...takenFirst]);
    for (const eventId of takenFirst) {
      const event = theirs.get(eventId);
      // A marker that refused our write is there; one gone a moment later expired or was
      // deleted by hand, and guessing its seq would hand clients a number no history holds.
      if (!event) throw new Error(`bus event ${eventId} was recorded by another delivery, but its record is gone`);
      recorded.set(eventId, event);
    }
  }
  return { recorded, refused };
}
