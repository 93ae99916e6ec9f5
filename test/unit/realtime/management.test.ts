import { describe, expect, it } from "vitest";
import {
  STATISTICS_MINUTES,
  WebSocketStatistics,
  websocketStatistics,
  BroadcastRequest,
  broadcastEvent,
  ConnectionListQuery,
  EventHistoryQuery,
  eventHistory,
  listConnections,
  listRooms,
} from "#realtime/domain/management";
import type { ServerEvent, ServerEventType, Stream } from "#realtime/published/protocol";
import { streamOf } from "#realtime/domain/record-event";
import { serverEventTypeOf } from "#realtime/domain/server-events";
import type { Caller } from "#shared/identity";
import {
  aConnection,
  InMemoryConnectionStore,
  InMemoryEventHistory,
  inMemoryPublishDeps,
  RecordingGateway,
} from "../../support/in-memory-connections";
import { publish } from "#realtime/domain/publishing";

const member = (connectionId: string, joinedAt: string) => ({
  connectionId,
  sub: `sub-${connectionId}`,
  username: `user-${connectionId}`,
  joinedAt,
});

describe("listConnections", () => {
  it("shows each connection with its subscriptions and rooms", async () => {
    // GIVEN
    const store = new InMemoryConnectionStore();
    await store.put(aConnection("c1", { roles: ["admin", "viewer"] }));
    await store.put(aConnection("c2"));
    await store.subscribe("c1", ["tasks", "alerts"]);
    await store.join("lobby", member("c1", "2026-11-23T10:00:00.000Z"));
    await store.join("ops", member("c1", "2026-11-23T10:01:00.000Z"));
    // WHEN
    const view = await listConnections(ConnectionListQuery.parse({}), store);
    // THEN
    expect(view).toEqual({
      connections: [
        {
          connectionId: "c1",
          username: "user-c1",
          roles: ["admin", "viewer"],
          connectedAt: "2026-11-23T09:00:00.000Z",
          subscriptions: ["tasks", "alerts"],
          rooms: ["lobby", "ops"],
        },
        {
          connectionId: "c2",
          username: "user-c2",
          roles: ["viewer"],
          connectedAt: "2026-11-23T09:00:00.000Z",
          subscriptions: [],
          rooms: [],
        },
      ],
    });
  });

  it("pages with a cursor until every connection was listed once", async () => {
    // GIVEN
    const store = new InMemoryConnectionStore();
    const ids = ["c1", "c2", "c3", "c4", "c5"];
    for (const id of ids) await store.put(aConnection(id));
    // WHEN
    const first = await listConnections(ConnectionListQuery.parse({ limit: "2" }), store);
    const second = await listConnections(ConnectionListQuery.parse({ limit: "2", cursor: first.cursor }), store);
    const third = await listConnections(ConnectionListQuery.parse({ limit: "2", cursor: second.cursor }), store);
    // THEN
    expect([first, second, third].map((page) => page.connections.map((c) => c.connectionId))).toEqual([
      ["c1", "c2"],
      ["c3", "c4"],
      ["c5"],
    ]);
    expect(first.cursor).toBeDefined();
    expect(third).not.toHaveProperty("cursor");
  });

  it("refuses a page size over 100 and unknown parameters", () => {
    expect(ConnectionListQuery.safeParse({ limit: "101" }).success).toBe(false);
    expect(ConnectionListQuery.safeParse({ limt: "10" }).success).toBe(false);
  });
});

describe("listRooms", () => {
  it("shows each room, sorted by name, with its members and their count", async () => {
    const store = new InMemoryConnectionStore();
    await store.join("ops", member("c3", "2026-11-23T10:02:00.000Z"));
    await store.join("lobby", member("c1", "2026-11-23T10:00:00.000Z"));
    await store.join("lobby", member("c2", "2026-11-23T10:01:00.000Z"));
    expect(await listRooms(store, ["viewer"])).toEqual({
      rooms: [
        {
          room: "lobby",
          memberCount: 2,
          members: [
            { connectionId: "c1", username: "user-c1", joinedAt: "2026-11-23T10:00:00.000Z" },
            { connectionId: "c2", username: "user-c2", joinedAt: "2026-11-23T10:01:00.000Z" },
          ],
        },
        {
          room: "ops",
          memberCount: 1,
          members: [{ connectionId: "c3", username: "user-c3", joinedAt: "2026-11-23T10:02:00.000Z" }],
        },
      ],
    });
  });

  it("lists a room everyone has left as empty", async () => {
    const store = new InMemoryConnectionStore();
    await store.join("lobby", member("c1", "2026-11-23T10:00:00.000Z"));
    await store.leave("lobby", "c1");
    expect(await listRooms(store, ["viewer"])).toEqual({ rooms: [{ room: "lobby", memberCount: 0, members: [] }] });
  });
});

describe("eventHistory", () => {
  /** Appends events to the history in seq order; each type goes to its own stream. */
  async function historyOf(events: [ServerEventType, number, Record<string, unknown>?][]) {
    const history = new InMemoryEventHistory();
    for (const [type, seq, data = {}] of events) {
      const event: ServerEvent = { type, seq, timestamp: `2026-11-23T10:00:${String(seq).padStart(2, "0")}.000Z`, data };
      const stream: Stream = streamOf(type, data);
      await history.append(stream, event);
    }
    return history;
  }
  const lobby = { room: "lobby", from: { sub: "s", username: "u" }, message: "hi" };
  const seqsOf = (view: { events: { seq: number }[] }) => view.events.map((event) => event.seq);

  it("merges every topic and returns the newest N, oldest first, without room events", async () => {
    const history = await historyOf([
      ["task_update", 1],
      ["agent_status", 2],
      ["room_message", 3, lobby],
      ["metrics", 4],
      ["task_update", 5],
      ["system_alert", 6],
      ["task_update", 7],
      ["tge_detected", 8],
    ]);
    expect(seqsOf(await eventHistory(EventHistoryQuery.parse({ limit: "4" }), ["viewer"], history))).toEqual([5, 6, 7, 8]);
    expect(seqsOf(await eventHistory(EventHistoryQuery.parse({ topic: "all", limit: "50" }), ["viewer"], history))).toEqual([
      1, 2, 4, 5, 6, 7, 8,
    ]);
  });

  it("returns one topic's newest events", async () => {
    const history = await historyOf([
      ["task_update", 1],
      ["agent_status", 2],
      ["task_update", 3],
      ["task_update", 4],
    ]);
    expect(seqsOf(await eventHistory(EventHistoryQuery.parse({ topic: "tasks", limit: "2" }), ["viewer"], history))).toEqual([
      3, 4,
    ]);
  });

  it("returns a room's events only, not topics' or other rooms'", async () => {
    const history = await historyOf([
      ["task_update", 1],
      ["room_message", 2, lobby],
      ["room_message", 3, { ...lobby, room: "ops" }],
      ["room_message", 4, lobby],
    ]);
    const view = await eventHistory(EventHistoryQuery.parse({ room: "lobby" }), ["viewer"], history);
    expect(seqsOf(view)).toEqual([2, 4]);
    expect(view.events[0]).toEqual({ type: "room_message", seq: 2, timestamp: "2026-11-23T10:00:02.000Z", data: lobby });
  });

  it("refuses a room and a topic together, on `room`", () => {
    const result = EventHistoryQuery.safeParse({ room: "lobby", topic: "tasks" });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ path: ["room"], message: "give a room or a topic, not both" }),
    ]);
  });

  it("defaults to 50 events and refuses more than 500", () => {
    expect(EventHistoryQuery.parse({})).toEqual({ limit: 50 });
    expect(EventHistoryQuery.safeParse({ limit: "501" }).success).toBe(false);
  });
});

describe("broadcastEvent", () => {
  const admin: Caller = { sub: "sub-admin", username: "root", roles: ["admin"] };
  const now = new Date("2026-11-23T10:00:00.000Z");

  it("makes a RoomMessage for a room, relayed to that room as a room_message", () => {
    const event = broadcastEvent(BroadcastRequest.parse({ message: "  maintenance at noon ", room: "lobby" }), admin, now);
    expect(event).toEqual({
      source: "tge-swarm.realtime",
      detailType: "RoomMessage",
      detail: { room: "lobby", from: { sub: "sub-admin", username: "root" }, message: "maintenance at noon" },
    });
    expect(serverEventTypeOf(event.detailType)).toBe("room_message");
    expect(streamOf("room_message", event.detail)).toEqual({ room: "lobby" });
  });

  it("makes a SystemAlert without a room, relayed on `alerts` as a system_alert", () => {
    const event = broadcastEvent(BroadcastRequest.parse({ message: "deploying", severity: "warning" }), admin, now);
    expect(event).toEqual({
      source: "tge-swarm.realtime",
      detailType: "SystemAlert",
      detail: {
        severity: "warning",
        source: "admin",
        title: "Announcement",
        message: "deploying",
        resource: { by: "root" },
        raisedAt: "2026-11-23T10:00:00.000Z",
      },
    });
    expect(serverEventTypeOf(event.detailType)).toBe("system_alert");
    expect(streamOf("system_alert", event.detail)).toEqual({ topic: "alerts" });
  });

  it("refuses a blank message and a bad room name", () => {
    expect(BroadcastRequest.safeParse({ message: "   " }).success).toBe(false);
    expect(BroadcastRequest.safeParse({ message: "hi", room: "not a room" }).success).toBe(false);
  });
});

describe("websocketStatistics", () => {
  it("counts connections, subscribers per topic, room members, and the frames each minute delivered, gone or failed", async () => {
    // GIVEN three connections, two on tasks, one in a room, and a delivery to them
    const deps = inMemoryPublishDeps({ gateway: new RecordingGateway(new Set(["c3"])) });
    for (const id of ["c1", "c2", "c3"]) await deps.connections.put(aConnection(id));
    await deps.connections.subscribe("c1", ["tasks"]);
    await deps.connections.subscribe("c2", ["tasks", "alerts"]);
    await deps.connections.subscribe("c3", ["tasks"]);
    await deps.connections.join("ops", { connectionId: "c1", sub: "s", username: "u", joinedAt: "t" });
    await publish("task_update", { taskId: "t-1" }, deps);

    // WHEN the statistics are read
    const stats = await websocketStatistics({ connections: deps.connections, stats: deps.stats, now: deps.clock.now() });

    // THEN they say what happened: c3 was gone, so two connections remain
    expect(stats.connections).toBe(2);
    expect(stats.subscriptionsByTopic).toMatchObject({ tasks: 2, alerts: 1, agents_only: 0 });
    expect(stats.rooms).toEqual([{ room: "ops", members: 1 }]);
    expect(stats.framesPerMinute).toHaveLength(STATISTICS_MINUTES);
    expect(stats.framesPerMinute[0]).toMatchObject({ delivered: 2, gone: 1, failed: 0 });
    expect(WebSocketStatistics.parse(stats)).toEqual(stats);
  });
});

describe("room rules on the HTTP side", () => {
  it("the history of a room needs the right to join it: a viewer is refused the admins room, an admin reads it", async () => {
    const history = new InMemoryEventHistory();
    const query = EventHistoryQuery.parse({ room: "admins" });
    await expect(eventHistory(query, ["viewer", "operator"], history)).rejects.toThrow(/requires one of the roles: admin/);
    // Control: the same read as an admin.
    expect(await eventHistory(query, ["admin"], history)).toEqual({ events: [] });
  });

  it("lists only the rooms the caller may join", async () => {
    const store = new InMemoryConnectionStore();
    for (const room of ["admins", "lobby"]) {
      await store.join(room, { connectionId: "c", sub: "s", username: "u", joinedAt: "2026-11-23T10:00:00.000Z" });
    }
    expect((await listRooms(store, ["viewer"])).rooms.map((r) => r.room)).toEqual(["lobby"]);
    expect((await listRooms(store, ["admin"])).rooms.map((r) => r.room)).toEqual(["admins", "lobby"]);
  });
});
