import { ACTOR_ROLES, ADMIN_ROLES, READER_ROLES } from "#shared/identity";
import type { RouteTable } from "#shared/routes";
import {
  BroadcastAccepted,
  BroadcastRequest,
  ConnectionListQuery,
  ConnectionListView,
  EventHistoryQuery,
  EventHistoryView,
  RoomListView,
  WebSocketStatistics,
} from "../domain/management";

/** WebSocket management (seed 004): who is connected, rooms, the event history, admin broadcasts. */
export const REALTIME_ROUTES = {
  listConnections: {
    method: "GET",
    path: "/api/websocket/connections",
    entry: "realtime/list-connections",
    roles: ACTOR_ROLES,
    summary: "Open dashboard connections: who, since when, subscriptions and rooms",
    query: ConnectionListQuery,
    pagedBy: "cursor",
    responses: { 200: { description: "A page of connections", schema: ConnectionListView } },
    errors: [400],
  },
  listRooms: {
    method: "GET",
    path: "/api/websocket/rooms",
    entry: "realtime/list-rooms",
    roles: READER_ROLES,
    summary: "Rooms joined in the last day and who is in each now",
    responses: { 200: { description: "The rooms", schema: RoomListView } },
    errors: [],
  },
  getEventHistory: {
    method: "GET",
    path: "/api/websocket/event-history",
    entry: "realtime/get-event-history",
    roles: READER_ROLES,
    summary: "The newest events of a room, a topic, or every topic, oldest first",
    description:
      "The same history WebSocket clients `replay` from, kept for `eventRetentionHours`. Give `room` or `topic`, not both.",
    query: EventHistoryQuery,
    responses: { 200: { description: "Events in `seq` order", schema: EventHistoryView } },
    errors: [400],
  },
  getStatistics: {
    method: "GET",
    path: "/api/websocket/statistics",
    entry: "realtime/get-websocket-statistics",
    roles: READER_ROLES,
    summary: "Connections, subscriptions by topic, rooms and their members, frames sent and failed per minute",
    responses: { 200: { description: "The WebSocket's figures now", schema: WebSocketStatistics } },
    errors: [],
  },
  broadcastMessage: {
    method: "POST",
    path: "/api/websocket/broadcast",
    entry: "realtime/broadcast-message",
    roles: ADMIN_ROLES,
    summary: "Announce to every `alerts` subscriber, or message one room",
    description:
      "Without `room`: a `system_alert` (source `admin`) on the `alerts` topic. With `room`: a `room_message` to its members. Goes through the event bus, so it gets a `seq` and can be replayed.",
    body: BroadcastRequest,
    responses: { 202: { description: "On the bus", schema: BroadcastAccepted } },
    errors: [400],
  },
} as const satisfies RouteTable;
