import { mapWithConcurrency } from "#shared/concurrency";
import { type BatchFrame, batchFrame, type ServerEvent, streamKey } from "../published/protocol";
import { type BroadcastReport, recipientsOf, sendFrame } from "./broadcast";
import { dropConnection, type PublishDeps } from "./publishing";
import { streamOf } from "./record-event";

/** What delivering a batch did: the broadcast report over every connection, and the frames posted. */
export interface BatchDeliveryReport extends BroadcastReport {
  /** Frames posted (before any cutting into `frame_part`s): one per connection reached. */
  readonly frames: number;
  /** Events delivered inside those frames, summed over connections. */
  readonly events: number;
}

/**
 * The frame one connection gets for the events due to it: the event itself when there is one
 * (what a client that never heard of `batch` expects), else one `batch` frame carrying them
 * all in `seq` order.
 */
export function frameFor(events: readonly ServerEvent[], now: Date): ServerEvent | BatchFrame {
  const ordered = [...events].sort((a, b) => a.seq - b.seq);
  if (ordered.length === 1) return ordered[0] as ServerEvent;
  return batchFrame(ordered, now);
}

/**
 * Delivers recorded events to everyone their streams reach, one frame per connection (ADR
 * 0018): each stream's recipients are read once for the whole batch, the events due to each
 * connection are gathered, and the connection gets them in one post. PostToConnection is
 * shared by every dashboard of the account, so its budget goes by connections, not by events.
 *
 *   events  41 tasks · 42 alerts · 43 tasks
 *   A (tasks)           → batch [41, 43]
 *   B (tasks, alerts)   → batch [41, 42, 43]
 *   C (alerts)          → system_alert 42   (one event due stays a plain event frame)
 *
 * A connection found gone is dropped (with its rooms told), as for one event; other failures
 * are reported, and the client replays from its last `seq`.
 *
 * @example
 * const report = await deliverBatch([event41, event42], deps); // → { frames: 2, events: 3, … }
 */
export async function deliverBatch(events: readonly ServerEvent[], deps: PublishDeps): Promise<BatchDeliveryReport> {
  if (events.length === 0) return { recipients: 0, delivered: 0, gone: 0, failed: [], frames: 0, events: 0 };
  const byStream = new Map<string, { stream: ReturnType<typeof streamOf>; events: ServerEvent[] }>();
  for (const event of events) {
    const stream = streamOf(event.type, event.data);
    const key = streamKey(stream);
    const entry = byStream.get(key) ?? { stream, events: [] };
    entry.events.push(event);
    byStream.set(key, entry);
  }
  const due = new Map<string, ServerEvent[]>();
  await Promise.all(
    [...byStream.values()].map(async ({ stream, events: streamEvents }) => {
      for (const connectionId of await recipientsOf(stream, deps.connections)) {
        due.set(connectionId, [...(due.get(connectionId) ?? []), ...streamEvents]);
      }
    }),
  );
  const connections = [...due.keys()];
  const now = deps.clock.now();
  const results = await mapWithConcurrency(connections, deps.concurrency, async (connectionId) => {
    const outcome = await sendFrame(deps.gateway, connectionId, frameFor(due.get(connectionId) ?? [], now), now);
    if (outcome === "gone") await dropConnection(connectionId, "dropped", deps);
    return outcome;
  });
  let delivered = 0;
  let gone = 0;
  let eventsDelivered = 0;
  const failed: BroadcastReport["failed"] = [];
  results.forEach((result, index) => {
    const connectionId = connections[index] as string;
    if (result.status === "rejected") failed.push({ connectionId, error: result.reason });
    else if (result.value === "gone") gone++;
    else {
      delivered++;
      eventsDelivered += due.get(connectionId)?.length ?? 0;
    }
  });
  await deps.stats.add(now, { delivered: eventsDelivered, gone, failed: failed.length });
  return { recipients: connections.length, delivered, gone, failed, frames: connections.length, events: eventsDelivered };
}
