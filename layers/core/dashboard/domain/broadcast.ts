import { mapWithConcurrency } from "#core/shared/concurrency";
import type { ConnectionGateway, ConnectionStore } from "./ports";
import { type ServerEvent, TOPIC_OF } from "./protocol";

export interface BroadcastDeps {
  readonly connections: ConnectionStore;
  readonly gateway: ConnectionGateway;
  /** Deliveries in flight at once. */
  readonly concurrency: number;
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
 * Sends one event to every connection subscribed to its topic or to `all`, in parallel with
 * bounded concurrency. A connection that is gone (410) is removed — that connection only —
 * and other failures are reported back, not thrown, so one bad connection cannot stop or
 * repeat delivery to the rest. Clients that miss an event can replay it by `seq`.
 *
 * @example
 * const report = await broadcast(event, { connections, gateway, concurrency: 50 });
 */
export async function broadcast(event: ServerEvent, deps: BroadcastDeps): Promise<BroadcastReport> {
  const topic = TOPIC_OF[event.type];
  const [direct, everything] = await Promise.all([deps.connections.subscribers(topic), deps.connections.subscribers("all")]);
  const recipients = [...new Set([...direct, ...everything])];
  const frame = JSON.stringify(event);
  const results = await mapWithConcurrency(recipients, deps.concurrency, async (connectionId) => {
    const outcome = await deps.gateway.post(connectionId, frame);
    if (outcome === "gone") await deps.connections.remove(connectionId);
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
