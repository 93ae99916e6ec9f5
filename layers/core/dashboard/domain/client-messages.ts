import type { Clock } from "#core/shared/clock";
import type { ConnectionGateway, ConnectionStore } from "./ports";
import { type ControlFrame, errorFrame, parseClientMessage, TOPICS, type Topic } from "./protocol";

export interface ClientMessageDeps {
  readonly connections: ConnectionStore;
  readonly gateway: ConnectionGateway;
  readonly clock: Clock;
}

/**
 * Handles one frame from a client and answers it on the same connection: subscription
 * changes are acknowledged with the full current set, `ping` with `pong`, anything
 * malformed with an `error` frame that says what is wrong.
 */
export async function handleClientMessage(
  connectionId: string,
  raw: string | undefined,
  deps: ClientMessageDeps,
): Promise<ControlFrame> {
  const now = deps.clock.now();
  const parsed = parseClientMessage(raw);
  let reply: ControlFrame;
  if (!parsed.ok) {
    reply = errorFrame(parsed.error, now);
  } else {
    const message = parsed.message;
    switch (message.type) {
      case "subscribe":
        await deps.connections.subscribe(connectionId, unique(message.subscriptions));
        reply = {
          type: "subscribed",
          timestamp: now.toISOString(),
          data: { subscriptions: await sortedTopics(connectionId, deps) },
        };
        break;
      case "unsubscribe":
        await deps.connections.unsubscribe(connectionId, unique(message.subscriptions));
        reply = {
          type: "unsubscribed",
          timestamp: now.toISOString(),
          data: { subscriptions: await sortedTopics(connectionId, deps) },
        };
        break;
      case "ping":
        reply = { type: "pong", timestamp: now.toISOString(), data: message.id ? { id: message.id } : {} };
        break;
    }
  }
  await deps.gateway.post(connectionId, JSON.stringify(reply));
  return reply;
}

const unique = (topics: readonly Topic[]) => [...new Set(topics)];

async function sortedTopics(connectionId: string, deps: ClientMessageDeps): Promise<Topic[]> {
  const topics = await deps.connections.topicsOf(connectionId);
  return [...topics].sort((a, b) => TOPICS.indexOf(a) - TOPICS.indexOf(b));
}
