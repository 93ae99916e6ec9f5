import type { Clock } from "#shared/clock";
import { mapWithConcurrency } from "#shared/concurrency";
import { wireFrames } from "./frames";
import type { ConnectionGateway, ConnectionStore, DeliveryOutcome } from "./ports";
import type { ServerEvent, Stream } from "../published/protocol";
import { streamOf } from "./record-event";

export interface BroadcastDeps {
  readonly connections: ConnectionStore;
  readonly gateway: ConnectionGateway;
  readonly clock: Clock;
  /** Deliveries in flight at once. */
  readonly concurrency: number;
  /** What to do with a connection that turned out to be gone. @default remove it */
  readonly onGone?: (connectionId: string) => Promise<void>;
}

export interface BroadcastReport {
  readonly recipients: number;
  readonly delivered: number;
  /** Connections that had gone away; each was removed. */
  readonly gone: number;
  /** Deliveries that failed for another reason, after the SDK's retries. */
  readonly failed: { connectionId: string; error: unknown }[];
}

/**
 * Sends one frame to one connection, cut into `frame_part` frames when it is over the frame
 * limit. Stops at the first part that finds the connection gone.
 */
export async function sendFrame(
  gateway: ConnectionGateway,
  connectionId: string,
  frame: unknown,
  now: Date,
): Promise<DeliveryOutcome> {
  for (const wire of wireFrames(JSON.stringify(frame), now)) {
    if ((await gateway.post(connectionId, wire)) === "gone") return "gone";
  }
  return "delivered";
}

/** Who receives an event of `stream`: a topic's subscribers and `all`'s, or a room's members. */
export async function recipientsOf(stream: Stream, connections: ConnectionStore): Promise<string[]> {
  if ("room" in stream) return (await connections.members(stream.room)).map((member) => member.connectionId);
  const [direct, everything] = await Promise.all([connections.subscribers(stream.topic), connections.subscribers("all")]);
  return [...new Set([...direct, ...everything])];
}

/**
 * Sends one event to everyone its stream reaches, in parallel with bounded concurrency. A
 * connection that is gone (410) is handed to `onGone` — that connection only — and other
 * failures are reported back, not thrown, so one bad connection cannot stop or repeat
 * delivery to the rest. Clients that miss an event can replay it by `seq`.
 *
 * @example
 * const report = await broadcast(event, { connections, gateway, clock, concurrency: 50 });
 */
export async function broadcast(
  event: ServerEvent,
  deps: BroadcastDeps,
  /** Who receives it, when the caller has just read them; otherwise found from the event's stream. */
  known?: readonly string[],
): Promise<BroadcastReport> {
  const recipients = known ? [...known] : await recipientsOf(streamOf(event.type, event.data), deps.connections);
  const onGone = deps.onGone ?? (async (connectionId: string) => void (await deps.connections.remove(connectionId)));
  const now = deps.clock.now();
  const results = await mapWithConcurrency(recipients, deps.concurrency, async (connectionId) => {
    const outcome = await sendFrame(deps.gateway, connectionId, event, now);
    if (outcome === "gone") await onGone(connectionId);
    return outcome;
  });
  let delivered = 0;
  let gone = 0;
  const failed: BroadcastReport["failed"] = [];
  results.forEach((result, index) => {
    if (result.status === "rejected") failed.push({ connectionId: recipients[index] as string, error: result.reason });
    else if (result.value === "gone") gone++;
    else delivered++;
  });
  return { recipients: recipients.length, delivered, gone, failed };
}
