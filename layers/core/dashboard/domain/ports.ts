import type { Role } from "#core/shared/identity";
import type { ServerEvent, Topic } from "./protocol";

/** A live WebSocket connection and who opened it. */
export interface Connection {
  readonly connectionId: string;
  readonly sub: string;
  readonly username: string;
  readonly roles: readonly Role[];
  readonly connectedAt: string;
}

/** Connections and the subscription index the broadcaster reads. */
export interface ConnectionStore {
  put(connection: Connection): Promise<void>;
  /** Removes the connection and everything it subscribed to. */
  remove(connectionId: string): Promise<void>;
  subscribe(connectionId: string, topics: readonly Topic[]): Promise<void>;
  unsubscribe(connectionId: string, topics: readonly Topic[]): Promise<void>;
  topicsOf(connectionId: string): Promise<Topic[]>;
  /** Connection ids subscribed to `topic`, found through the index (never a scan). */
  subscribers(topic: Topic): Promise<string[]>;
}

export type DeliveryOutcome = "delivered" | "gone";

/** Pushes frames to connected clients (API Gateway's @connections API). */
export interface ConnectionGateway {
  /** Sends one frame; answers "gone" when the connection no longer exists. */
  post(connectionId: string, data: string): Promise<DeliveryOutcome>;
}

/** Hands out event sequence numbers, strictly increasing across all broadcasters. */
export interface SequenceSource {
  next(): Promise<number>;
}

/** The event history clients replay from, kept per topic in `seq` order. */
export interface EventHistory {
  append(topic: Topic, event: ServerEvent): Promise<void>;
}
