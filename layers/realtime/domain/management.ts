import { ForbiddenError } from "#shared/errors";
import { mayJoin, ruleOf } from "../published/room-rules";
import * as z from "zod";
import type { Caller } from "#shared/identity";
import { Role } from "#shared/identity";
import type { ConnectionStore, DeliveryStats, EventHistory } from "./ports";
import { EVENT_TOPICS, type RoomMessageData, ServerEventType, type Stream, Topic, TOPICS } from "../published/protocol";
import { type DomainEvent, EVENT_SOURCES } from "#kernel/bus/domain-event";
import { SYSTEM_ALERT, type SystemAlert } from "#kernel/bus/system-alert";
import { RoomName } from "#kernel/bus/room-message";

// --- GET /api/websocket/connections -------------------------------------------------------

export const ConnectionListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().min(1).max(2_048).optional(),
  })
  .strict();
export type ConnectionListQuery = z.infer<typeof ConnectionListQuery>;

export const ConnectionView = z.object({
  connectionId: z.string(),
  username: z.string(),
  roles: z.array(Role),
  connectedAt: z.string(),
  subscriptions: z.array(Topic),
  rooms: z.array(RoomName),
});
export const ConnectionListView = z
  .object({ connections: z.array(ConnectionView), cursor: z.string().optional() })
  .meta({ id: "ConnectionListView" });
export type ConnectionListView = z.infer<typeof ConnectionListView>;

/** A page of open connections with what each is subscribed to and which rooms it is in. */
export async function listConnections(query: ConnectionListQuery, store: ConnectionStore): Promise<ConnectionListView> {
  const page = await store.list({ limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
  const connections = await Promise.all(
    page.connections.map(async (connection) => {
      const [subscriptions, rooms] = await Promise.all([
        store.topicsOf(connection.connectionId),
        store.roomsOf(connection.connectionId),
      ]);
      return {
        connectionId: connection.connectionId,
        username: connection.username,
        roles: [...connection.roles],
        connectedAt: connection.connectedAt,
        subscriptions,
        rooms,
      };
    }),
  );
  return { connections, ...(page.cursor ? { cursor: page.cursor } : {}) };
}

// --- GET /api/websocket/rooms -------------------------------------------------------------

export const RoomView = z.object({
  room: RoomName,
  memberCount: z.number().int(),
  members: z.array(z.object({ connectionId: z.string(), username: z.string(), joinedAt: z.string() })),
});
export const RoomListView = z.object({ rooms: z.array(RoomView) }).meta({ id: "RoomListView" });
export type RoomListView = z.infer<typeof RoomListView>;

/**
 * Rooms joined lately and who is in each now (an empty room is listed until its listing expires),
 * only those the caller's roles may join (room-rules.ts).
 */
export async function listRooms(store: ConnectionStore, roles: readonly Role[]): Promise<RoomListView> {
  const rooms = (await store.rooms()).filter((room) => mayJoin(roles, room));
  return {
    rooms: await Promise.all(
      rooms.sort().map(async (room) => {
        const members = await store.members(room);
        return {
          room,
          memberCount: members.length,
          members: members.map(({ connectionId, username, joinedAt }) => ({ connectionId, username, joinedAt })),
        };
      }),
    ),
  };
}

// --- GET /api/websocket/event-history -----------------------------------------------------

export const EventHistoryQuery = z
  .object({
    room: RoomName.optional(),
    topic: Topic.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict()
  .refine((query) => !(query.room && query.topic), { message: "give a room or a topic, not both", path: ["room"] });
export type EventHistoryQuery = z.infer<typeof EventHistoryQuery>;

export const HistoryEventView = z.object({
  type: ServerEventType,
  seq: z.number().int(),
  timestamp: z.string(),
  data: z.unknown(),
});
export const EventHistoryView = z.object({ events: z.array(HistoryEventView) }).meta({ id: "EventHistoryView" });
export type EventHistoryView = z.infer<typeof EventHistoryView>;

/**
 * The newest `limit` events of a room, a topic, or every topic (`all`, the default), oldest first.
 * A room's history needs the right to join it (ForbiddenError otherwise).
 */
export async function eventHistory(
  query: EventHistoryQuery,
  roles: readonly Role[],
  history: EventHistory,
): Promise<EventHistoryView> {
  if (query.room && !mayJoin(roles, query.room)) {
    throw new ForbiddenError(
      `the history of room "${query.room}" requires one of the roles: ${ruleOf(query.room).join.join(", ")}`,
    );
  }
  const streams: Stream[] = query.room
    ? [{ room: query.room }]
    : !query.topic || query.topic === "all"
      ? EVENT_TOPICS.map((topic) => ({ topic }))
      : [{ topic: query.topic }];
  const events = (await Promise.all(streams.map((stream) => history.latest(stream, query.limit))))
    .flat()
    .sort((a, b) => a.seq - b.seq)
    .slice(-query.limit);
  return { events };
}

// --- POST /api/websocket/broadcast --------------------------------------------------------

export const BroadcastRequest = z
  .object({
    message: z.string().trim().min(1).max(2_000),
    /** Sent to this room's members as a `room_message`; without it, to every `alerts` subscriber as a `system_alert`. */
    room: RoomName.optional(),
    severity: z.enum(["info", "warning", "critical"]).default("info"),
    title: z.string().trim().min(1).max(200).default("Announcement"),
  })
  .strict()
  .meta({ id: "BroadcastRequest" });
export type BroadcastRequest = z.infer<typeof BroadcastRequest>;
export const BroadcastAccepted = z.object({ target: z.string(), detailType: z.string() }).meta({ id: "BroadcastAccepted" });
export type BroadcastAccepted = z.infer<typeof BroadcastAccepted>;

/**
 * The bus event an admin's broadcast becomes. It goes through the bus like every other event,
 * so it gets a `seq`, lands in the history and reaches clients that replay.
 */
export function broadcastEvent(request: BroadcastRequest, caller: Caller, now: Date): DomainEvent<RoomMessageData | SystemAlert> {
  if (request.room) {
    return {
      source: EVENT_SOURCES.realtime,
      detailType: "RoomMessage",
      detail: { room: request.room, from: { sub: caller.sub, username: caller.username }, message: request.message },
    };
  }
  return {
    source: EVENT_SOURCES.realtime,
    detailType: SYSTEM_ALERT,
    detail: {
      severity: request.severity,
      source: "admin",
      title: request.title,
      message: request.message,
      resource: { by: caller.username },
      raisedAt: now.toISOString(),
    },
  };
}

// --- GET /api/websocket/statistics ---------------------------------------------------------

/** Minutes of frame counts the statistics show. */
export const STATISTICS_MINUTES = 15;

export const WebSocketStatistics = z
  .object({
    generatedAt: z.iso.datetime(),
    connections: z.number().int(),
    subscriptionsByTopic: z.record(Topic, z.number().int()),
    rooms: z.array(z.object({ room: RoomName, members: z.number().int() })),
    /** Frames handed to API Gateway per minute, newest first: delivered, to connections found gone, failed. */
    framesPerMinute: z.array(
      z.object({ minute: z.string(), delivered: z.number().int(), gone: z.number().int(), failed: z.number().int() }),
    ),
  })
  .meta({ id: "WebSocketStatistics" });
export type WebSocketStatistics = z.infer<typeof WebSocketStatistics>;

/** Seed 004's WebSocket statistics: connections, subscriptions by topic, rooms and their members, frames per minute. */
export async function websocketStatistics(deps: {
  connections: ConnectionStore;
  stats: DeliveryStats;
  now: Date;
}): Promise<WebSocketStatistics> {
  let connections = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.connections.list({ limit: 100, ...(cursor ? { cursor } : {}) });
    connections += page.connections.length;
    cursor = page.cursor;
  } while (cursor);
  const [bySubscription, rooms, framesPerMinute] = await Promise.all([
    Promise.all(TOPICS.map(async (topic) => [topic, (await deps.connections.subscribers(topic)).length] as const)),
    deps.connections
      .rooms()
      .then((names) =>
        Promise.all(names.sort().map(async (room) => ({ room, members: (await deps.connections.members(room)).length }))),
      ),
    deps.stats.lastMinutes(STATISTICS_MINUTES, deps.now),
  ]);
  return {
    generatedAt: deps.now.toISOString(),
    connections,
    subscriptionsByTopic: Object.fromEntries(bySubscription) as Record<Topic, number>,
    rooms,
    framesPerMinute,
  };
}
