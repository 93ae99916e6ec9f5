import { describe, expect, it, vi } from "vitest";
import { type ClientMessageDeps, handleClientMessage } from "#realtime/domain/client-messages";
import { TooFarBackError } from "#realtime/domain/ports";
import type { ClientMessage, ControlFrame, ErrorFrameData } from "#realtime/published/protocol";
import { CONNECTION_LIMITS } from "#realtime/published/room-rules";
import { aConnection, InMemoryRateLimiter, inMemoryPublishDeps, ManualClock } from "../../support/in-memory-connections";

/** Roomy enough that only the rate-limit tests ever meet the limit. */
const GENEROUS = { capacity: 1_000, refillPerSecond: 1_000 };

function setUp(rateLimit = GENEROUS) {
  const clock = new ManualClock();
  const deps = {
    ...inMemoryPublishDeps({ clock }),
    rateLimiter: new InMemoryRateLimiter(),
    rateLimit,
  } satisfies ClientMessageDeps;
  // $connect stores a connection's row before any of its frames arrive.
  for (const id of ["c1", "c2"]) void deps.connections.put(aConnection(id));
  return { ...deps, deps };
}
const send = (connectionId: string, message: ClientMessage | Record<string, unknown>, deps: ClientMessageDeps) =>
  handleClientMessage(connectionId, JSON.stringify(message), deps);

describe("handleClientMessage", () => {
  it("subscribes and acknowledges with the full set of topics", async () => {
    const { connections, gateway, deps } = setUp();
    await send("c1", { type: "subscribe", subscriptions: ["tasks"] }, deps);
    await send("c1", { type: "subscribe", subscriptions: ["alerts", "tasks"] }, deps);
    expect(gateway.sentTo("c1").at(-1)).toEqual({
      type: "subscribed",
      timestamp: "2026-11-23T10:00:00.000Z",
      data: { subscriptions: ["tasks", "alerts"] },
    });
    expect(await connections.subscribers("alerts")).toEqual(["c1"]);
  });

  it("unsubscribes", async () => {
    const { connections, gateway, deps } = setUp();
    await connections.subscribe("c1", ["tasks", "alerts"]);
    await send("c1", { type: "unsubscribe", subscriptions: ["tasks"] }, deps);
    expect(await connections.subscribers("tasks")).toEqual([]);
    expect(gateway.sentTo("c1")).toEqual([
      expect.objectContaining({ type: "unsubscribed", data: { subscriptions: ["alerts"] } }),
    ]);
  });

  it("answers ping with pong, echoing its id and naming the connection", async () => {
    const { gateway, deps } = setUp();
    const reply = await send("c1", { type: "ping", id: "p1" }, deps);
    const pong = { type: "pong", timestamp: "2026-11-23T10:00:00.000Z", data: { connectionId: "c1", id: "p1" } };
    expect(gateway.sentTo("c1")).toEqual([pong]);
    expect(reply).toEqual(pong);
  });

  it("reads the connection's record once per frame: a join and a room message use the one the frame was checked against", async () => {
    const { connections, deps } = setUp();
    const get = vi.spyOn(connections, "get");
    await send("c1", { type: "join_room", room: "lobby" }, deps);
    await send("c1", { type: "room_message", room: "lobby", message: "hi" }, deps);
    expect(get).toHaveBeenCalledTimes(2);
  });

  it("answers a bad frame with an error frame and changes nothing", async () => {
    const { connections, gateway, deps } = setUp();
    await connections.subscribe("c1", ["tasks"]);
    const reply = await send("c1", { type: "subscribe", subscriptions: [] }, deps);
    expect(gateway.sentTo("c1")).toEqual([
      expect.objectContaining({ type: "error", data: expect.objectContaining({ code: "invalid_field" }) }),
    ]);
    expect(reply?.type).toBe("error");
    expect(await connections.topicsOf("c1")).toEqual(["tasks"]);
  });

  describe("rooms", () => {
    it("refuses a room_message from a connection outside the room with not_a_member, and records nothing", async () => {
      // GIVEN
      const { connections, gateway, history, deps } = setUp();
      await connections.put(aConnection("insider"));
      await connections.put(aConnection("outsider"));
      await send("insider", { type: "join_room", room: "lobby" }, deps);
      const before = structuredClone(history.streams.get("ROOM#lobby"));
      // WHEN
      const reply = await send("outsider", { type: "room_message", room: "lobby", message: "let me in" }, deps);
      // THEN
      expect(reply).toMatchObject({ type: "error", data: { code: "not_a_member", fields: [{ field: "room" }] } });
      expect(gateway.sentTo("outsider")).toEqual([reply]);
      expect(gateway.sentTo("insider").some((frame) => JSON.stringify(frame).includes("let me in"))).toBe(false);
      expect(history.streams.get("ROOM#lobby")).toEqual(before);
    });

    it("answers a replay naming a room the connection is not in with not_a_member and sends no events", async () => {
      // GIVEN
      const { connections, gateway, deps } = setUp();
      await connections.put(aConnection("member"));
      await connections.put(aConnection("nosy"));
      await send("member", { type: "join_room", room: "war-room" }, deps);
      await send("member", { type: "room_message", room: "war-room", message: "secret plan" }, deps);
      // WHEN
      const reply = await send("nosy", { type: "replay", sinceSeq: 0, rooms: ["war-room"] }, deps);
      // THEN
      expect(reply).toMatchObject({ type: "error", data: { code: "not_a_member" } });
      expect(gateway.sentTo("nosy")).toEqual([reply]);
    });
  });

  describe("authorization per action", () => {
    it("refuses a viewer's post in ops with forbidden, delivers nothing, and lets an operator post there", async () => {
      // GIVEN a viewer and an operator, both in ops (viewers may read it)
      const { connections, gateway, history, deps } = setUp();
      await connections.put(aConnection("viewer", { roles: ["viewer"] }));
      await connections.put(aConnection("operator", { roles: ["operator"] }));
      for (const id of ["viewer", "operator"]) {
        expect(await send(id, { type: "join_room", room: "ops" }, deps)).toMatchObject({ type: "joined" });
      }
      // WHEN the viewer posts
      const reply = await send("viewer", { type: "room_message", room: "ops", message: "all clear" }, deps);
      // THEN
      expect(reply).toMatchObject({ type: "error", data: { code: "forbidden", fields: [{ field: "room" }] } });
      expect(gateway.sentTo("operator").some((f) => JSON.stringify(f).includes("all clear"))).toBe(false);
      expect(history.streams.get("ROOM#ops")?.some((e) => JSON.stringify(e).includes("all clear")) ?? false).toBe(false);
      // Control: the operator's message reaches the viewer.
      await send("operator", { type: "room_message", room: "ops", message: "deploying" }, deps);
      expect(gateway.sentTo("viewer").some((f) => JSON.stringify(f).includes("deploying"))).toBe(true);
    });

    it("refuses a non-admin joining the admins room with forbidden; an admin joins", async () => {
      const { connections, deps } = setUp();
      await connections.put(aConnection("op", { roles: ["operator"] }));
      await connections.put(aConnection("boss", { roles: ["admin"] }));
      expect(await send("op", { type: "join_room", room: "admins" }, deps)).toMatchObject({
        type: "error",
        data: { code: "forbidden" },
      });
      expect(await connections.roomsOf("op")).toEqual([]);
      expect(await send("boss", { type: "join_room", room: "admins" }, deps)).toMatchObject({ type: "joined" });
    });

    it("answers room_limit past the rooms a connection may be in; joining a room it is in stays fine", async () => {
      const { deps } = setUp();
      for (let i = 0; i < CONNECTION_LIMITS.roomsPerConnection; i++) {
        expect(await send("c1", { type: "join_room", room: `r-${i}` }, deps)).toMatchObject({ type: "joined" });
      }
      expect(await send("c1", { type: "join_room", room: "one-more" }, deps)).toMatchObject({
        type: "error",
        data: { code: "room_limit", message: expect.stringContaining(String(CONNECTION_LIMITS.roomsPerConnection)) },
      });
      expect(await send("c1", { type: "join_room", room: "r-0" }, deps)).toMatchObject({ type: "joined" });
    });

    it("after the token's expiry answers token_expired and closes the connection; before it, answers as usual", async () => {
      const { clock, gateway, deps } = setUp();
      // Control: a minute before the expiry (11:00) a ping is a pong.
      clock.advance(59 * 60_000);
      expect(await send("c1", { type: "ping" }, deps)).toMatchObject({ type: "pong" });
      expect(gateway.closed).toEqual([]);
      // WHEN the token has expired
      clock.advance(60_000);
      const reply = await send("c1", { type: "subscribe", subscriptions: ["tasks"] }, deps);
      // THEN
      expect(reply).toMatchObject({ type: "error", data: { code: "token_expired" } });
      expect(gateway.closed).toEqual(["c1"]);
      expect(await deps.connections.topicsOf("c1")).toEqual([]);
    });
  });

  it("answers a replay by time that reaches too far back with an error naming sinceTime, and stays up", async () => {
    const { connections, gateway, deps } = setUp();
    await connections.put(aConnection("c1"));
    await send("c1", { type: "subscribe", subscriptions: ["tasks"] }, deps);
    const history = Object.assign(Object.create(deps.history) as typeof deps.history, {
      read: async () => Promise.reject(new TooFarBackError(5_000)),
    });
    const tooFar = { ...deps, history };
    const reply = await send("c1", { type: "replay", sinceTime: "2026-11-23T09:00:00Z" }, tooFar);
    expect(reply).toMatchObject({ type: "error", data: { code: "invalid_field", fields: [{ field: "sinceTime" }] } });
    expect((await send("c1", { type: "ping" }, deps))?.type).toBe("pong");
    expect(gateway.sentTo("c1").at(-2)).toEqual(reply);
  });

  describe("rate limit", () => {
    it("refuses the 4th message in one instant with rate_limited and retryAfter, leaving the connection's state intact", async () => {
      // GIVEN capacity 3, refill 1/s
      const { connections, gateway, deps } = setUp({ capacity: 3, refillPerSecond: 1 });
      await connections.put(aConnection("c1"));
      await send("c1", { type: "subscribe", subscriptions: ["tasks", "alerts"] }, deps);
      await send("c1", { type: "join_room", room: "lobby" }, deps);
      await send("c1", { type: "ping" }, deps);
      const sentBefore = gateway.sentTo("c1").length;
      // WHEN the 4th message, at the same instant, would change the subscriptions
      const reply = (await send("c1", { type: "unsubscribe", subscriptions: ["tasks"] }, deps)) as ControlFrame<ErrorFrameData>;
      // THEN
      expect(reply.type).toBe("error");
      expect(reply.data.code).toBe("rate_limited");
      expect(reply.data.retryAfter).toBeGreaterThan(0);
      expect(gateway.sentTo("c1").slice(sentBefore)).toEqual([reply]);
      expect((await connections.topicsOf("c1")).sort()).toEqual(["alerts", "tasks"]);
      expect(await connections.roomsOf("c1")).toEqual(["lobby"]);
      expect(await connections.get("c1")).toEqual(aConnection("c1"));
    });

    it("accepts messages again once the clock has moved on by a refill", async () => {
      // GIVEN a connection that has used up its burst
      const { clock, connections, deps } = setUp({ capacity: 3, refillPerSecond: 1 });
      for (let i = 0; i < 3; i++) await send("c1", { type: "ping" }, deps);
      expect((await send("c1", { type: "ping" }, deps))?.data).toMatchObject({ code: "rate_limited" });
      // WHEN a second passes
      clock.advance(1_000);
      const reply = await send("c1", { type: "subscribe", subscriptions: ["tasks"] }, deps);
      // THEN
      expect(reply).toMatchObject({ type: "subscribed", data: { subscriptions: ["tasks"] } });
      expect(await connections.topicsOf("c1")).toEqual(["tasks"]);
      // and only one token came back: the next message in the same instant is refused again.
      expect((await send("c1", { type: "ping" }, deps))?.data).toMatchObject({ code: "rate_limited" });
    });

    it("limits each connection on its own", async () => {
      const { deps } = setUp({ capacity: 1, refillPerSecond: 1 });
      expect((await send("c1", { type: "ping" }, deps))?.type).toBe("pong");
      expect((await send("c1", { type: "ping" }, deps))?.type).toBe("error");
      expect((await send("c2", { type: "ping" }, deps))?.type).toBe("pong");
    });
  });

  describe("no frame goes unanswered", () => {
    /** A store whose room reads take `ms`, standing for a room too large to answer in time. */
    const slowRooms = (deps: ClientMessageDeps, ms: number): ClientMessageDeps => {
      const members = deps.connections.members.bind(deps.connections);
      const connections = Object.assign(Object.create(deps.connections) as typeof deps.connections, {
        members: async (room: Parameters<typeof members>[0]) => {
          await new Promise((resolve) => setTimeout(resolve, ms));
          return members(room);
        },
      });
      return { ...deps, connections };
    };

    it("answers timeout when the answer outlives the time it is given", async () => {
      const { gateway, deps } = setUp();
      const reply = await handleClientMessage("c1", JSON.stringify({ type: "join_room", room: "lobby" }), slowRooms(deps, 200), {
        withinMs: 20,
      });
      expect(reply?.data).toMatchObject({ code: "timeout" });
      expect(gateway.sentTo("c1")).toEqual([reply]);
    });

    it("answers joined when the same slow join has the time (the control)", async () => {
      const { deps } = setUp();
      const reply = await handleClientMessage("c1", JSON.stringify({ type: "join_room", room: "lobby" }), slowRooms(deps, 20), {
        withinMs: 2_000,
      });
      expect(reply?.type).toBe("joined");
    });

    it("tells onLateFailure of a failure that comes after the timeout answer", async () => {
      const { deps } = setUp();
      const broken = new Error("the table is gone");
      const late = {
        ...deps,
        connections: Object.assign(Object.create(deps.connections) as typeof deps.connections, {
          subscribe: () => new Promise((_, reject) => setTimeout(() => reject(broken), 50)),
        }),
      };
      const failures: unknown[] = [];
      const reply = await handleClientMessage("c1", JSON.stringify({ type: "subscribe", subscriptions: ["tasks"] }), late, {
        withinMs: 10,
        onLateFailure: (error) => failures.push(error),
      });
      expect(reply?.data).toMatchObject({ code: "timeout" });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(failures).toEqual([broken]);
    });

    it("answers internal_error for a failure of ours, then throws it on", async () => {
      const { gateway, deps } = setUp();
      const broken = new Error("the table is gone");
      const failing = {
        ...deps,
        connections: Object.assign(Object.create(deps.connections) as typeof deps.connections, {
          subscribe: () => Promise.reject(broken),
        }),
      };
      await expect(send("c1", { type: "subscribe", subscriptions: ["tasks"] }, failing)).rejects.toBe(broken);
      expect(gateway.sentTo("c1")).toEqual([
        expect.objectContaining({ type: "error", data: expect.objectContaining({ code: "internal_error" }) }),
      ]);
    });
  });
});
