import type { Role } from "#shared/identity";
import type { BucketLimits, TakeResult } from "#shared/token-bucket";
import type { PresenceChange, RoomMember, ServerEvent, Stream, Topic } from "../published/protocol";
import type { RoomName } from "#kernel/bus/room-message";

/** A live WebSocket connection and who opened it. */
export interface Connection {
  readonly connectionId: string;
  readonly sub: string;
  readonly username: string;
  readonly roles: readonly Role[];
  readonly connectedAt: string;
  /** When the token it was opened with expires (its `exp`): later frames are refused with `token_expired`. */
  readonly tokenExpiresAt: string;
}

/** One room a connection was in, and as whom. */
export interface RoomMembership {
  readonly room: RoomName;
  readonly member: RoomMember;
}

/** Some of a room's members (the first, in join order) and how many it has. */
export interface RoomView {
  readonly members: readonly RoomMember[];
  readonly memberCount: number;
}

/** What a room's own rows keep of it (ADR 0025). */
export interface RoomTally {
  /** Moved by every join, leave and removal in the same transaction as the membership. */
  readonly memberCount: number;
  /** The members the room's last summary listed, first joined first; none before its first summary. */
  readonly listed: readonly RoomMember[];
  /** Goes up with every change of the count, so a recount can tell whether one came since. */
  readonly version: number;
}

export interface ConnectionPage {
  readonly connections: Connection[];
  readonly cursor?: string;
}

/** Connections, the subscription index the broadcaster reads, and room membership. */
export interface ConnectionStore {
  put(connection: Connection): Promise<void>;
  get(connectionId: string): Promise<Connection | undefined>;
  /**
   * Removes the connection, its subscriptions and its room memberships; answers the rooms it
   * was in, or undefined when it was already gone (someone else removed it first).
   */
  remove(connectionId: string): Promise<RoomMembership[] | undefined>;
  subscribe(connectionId: string, topics: readonly Topic[]): Promise<void>;
  unsubscribe(connectionId: string, topics: readonly Topic[]): Promise<void>;
  topicsOf(connectionId: string): Promise<Topic[]>;
  /** Connection ids subscribed to `topic`, found through the index (never a scan). */
  subscribers(topic: Topic): Promise<string[]>;
  /** Adds the member to the room; answers false when that connection was already in it. */
  join(room: RoomName, member: RoomMember): Promise<boolean>;
  /** Answers who left, or undefined when the connection was not in the room. */
  leave(room: RoomName, connectionId: string): Promise<RoomMember | undefined>;
  roomsOf(connectionId: string): Promise<RoomName[]>;
  /**
   * Members of `room`, found through the index (never a scan), in join order; with a `limit`,
   * the first that many the index holds (in no promised order), then in join order.
   */
  members(room: RoomName, options?: { readonly limit?: number }): Promise<RoomMember[]>;
  /** The room's kept count and the members its last summary listed: one read, whatever its size (ADR 0025). */
  tally(room: RoomName): Promise<RoomTally>;
  /**
   * Keeps what a summary found reading every member: the first of them, for later joins to list,
   * and their number as the room's count, unless the count changed after `since` was read, or so
   * lately that the index may not have shown the change to the read.
   */
  recount(room: RoomName, found: RoomView, since: RoomTally): Promise<void>;
  /** Rooms anyone has joined within their retention, found through the index. */
  rooms(): Promise<RoomName[]>;
  /** A page of open connections, in connection id order. */
  list(page: { limit: number; cursor?: string }): Promise<ConnectionPage>;
  /** How many connections `sub` has open (through a per-user index, never a scan). */
  countOf(sub: string): Promise<number>;
}

/**
 * The presence changes of large rooms waiting for their room's next summary, and whether that
 * summary is due (ADR 0022). A change is kept before the summary is marked due, and a summary
 * clears the mark before it reads, so no change is left without a summary to come.
 */
export interface PendingPresence {
  /**
   * Keeps the change and marks the room's summary due; answers true when this call marked it
   * (the caller then schedules it). A mark older than `staleAfterSeconds` counts as none, so a
   * schedule that was lost cannot silence the room for good.
   */
  add(room: RoomName, change: PresenceChange, staleAfterSeconds: number): Promise<boolean>;
  /** Clears the room's due mark: any change after this marks, and schedules, the next summary. */
  clearDue(room: RoomName): Promise<void>;
  /** Up to `limit` of the room's waiting changes, oldest first, each with the key `settle` takes. */
  waiting(room: RoomName, limit: number): Promise<PendingChange[]>;
  /** Forgets changes once a summary has announced them. */
  settle(room: RoomName, keys: readonly string[]): Promise<void>;
}

export interface PendingChange {
  readonly key: string;
  readonly change: PresenceChange;
}

/** Asks for a room's presence summary `delaySeconds` from now (a delayed queue message). */
export interface PresenceScheduler {
  schedule(room: RoomName, delaySeconds: number): Promise<void>;
}

export type DeliveryOutcome = "delivered" | "gone";

/** Pushes frames to connected clients (API Gateway's @connections API). */
export interface ConnectionGateway {
  /** Sends one frame; answers "gone" when the connection no longer exists. */
  post(connectionId: string, data: string): Promise<DeliveryOutcome>;
  /** Closes the connection from the server's side; one already gone is closed. */
  close(connectionId: string): Promise<void>;
}

/** Hands out event sequence numbers, strictly increasing across all broadcasters. */
export interface SequenceSource {
  next(): Promise<number>;
  /** Takes `count` consecutive numbers at once (one write, however many) and answers the first. */
  reserve(count: number): Promise<number>;
}

/** A bus event given its place in a stream, with the id of the bus event it came from. */
export interface EventToRecord {
  readonly eventId: string;
  readonly stream: Stream;
  readonly event: ServerEvent;
}

/**
 * Which bus events have been recorded, and the writes that record them. An event's history
 * entry and its marker (keyed by the bus event's id) are written together, so an event is
 * recorded whole or not at all, and a second delivery finds the first one's `seq`.
 */
export interface EventLedger {
  /** The recorded events among these bus event ids; ids not recorded are absent. */
  find(eventIds: readonly string[]): Promise<Map<string, ServerEvent>>;
  /**
   * Records every entry with its marker. Answers the ids another delivery recorded first:
   * nothing of those entries is written.
   */
  record(entries: readonly EventToRecord[]): Promise<Set<string>>;
}

/** Where a replay or a history read starts: after a `seq`, or at an instant. */
export type HistoryStart = { readonly afterSeq: number } | { readonly since: Date };

/** A look back to an instant that would read more of the history than a replay may. */
export class TooFarBackError extends Error {
  constructor(readonly eventsRead: number) {
    super(`more than ${eventsRead} events happened since that instant; replay by sinceSeq instead`);
    this.name = "TooFarBackError";
  }
}

/** The event history clients replay from, kept per stream (topic or room) in `seq` order. */
export interface EventHistory {
  append(stream: Stream, event: ServerEvent): Promise<void>;
  /**
   * Up to `limit` events of `stream` from `start`, oldest first.
   * @throws TooFarBackError when finding where `since` starts would read too much
   */
  read(stream: Stream, start: HistoryStart, limit: number): Promise<ServerEvent[]>;
  /** The newest `limit` events of `stream`, oldest first. */
  latest(stream: Stream, limit: number): Promise<ServerEvent[]>;
}

/** Frames handed to the WebSocket, counted per minute: delivered, to gone connections, failed. */
export interface MinuteDeliveries {
  /** The minute, e.g. `2026-12-01T10:04`. */
  readonly minute: string;
  readonly delivered: number;
  readonly gone: number;
  readonly failed: number;
}

/**
 * Counts of delivered frames per minute, for `GET /api/websocket/statistics`. `add` never
 * throws: a count that cannot be written is reported by the adapter (logged and counted), not
 * allowed to fail the delivery it counts, which would deliver the same frames again.
 */
export interface DeliveryStats {
  add(at: Date, counts: { readonly delivered: number; readonly gone: number; readonly failed: number }): Promise<void>;
  /** The last `count` minutes up to `now`, newest first, missing minutes as zeros. */
  lastMinutes(count: number, now: Date): Promise<MinuteDeliveries[]>;
}

/** A token bucket per connection, kept where every handler instance sees it. */
export interface RateLimiter {
  take(connectionId: string, limits: BucketLimits, nowMs: number): Promise<TakeResult>;
}
