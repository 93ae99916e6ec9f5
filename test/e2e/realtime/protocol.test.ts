import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, describe, expect, it } from "vitest";
import { type Frame, WsClient } from "../../../scripts/local/ws-client";
import { api, outputs, submit, tokenFor } from "../support/api";

const open: WsClient[] = [];
async function connect(role: "admin" | "operator" | "viewer" = "viewer"): Promise<WsClient> {
  const client = await WsClient.connect(outputs().WebSocketUrl, await tokenFor(role));
  open.push(client);
  return client;
}
afterEach(() => {
  for (const client of open.splice(0)) client.close();
});

const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const uniqueRoom = (name: string) => `${name}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const events = (client: WsClient, type: string) => client.frames.filter((frame) => frame.type === type);
/** Sends and waits for the reply of the given type sent after this message. */
async function request(client: WsClient, message: Record<string, unknown>, replyType: string): Promise<Frame> {
  const before = client.frames.length;
  client.send(message);
  return client.waitFor((frame) => frame.type === replyType && client.frames.indexOf(frame) >= before, 10_000, replyType);
}
const announce = (message: string, room?: string) =>
  api("POST", "/api/websocket/broadcast", { body: { message, ...(room ? { room } : {}) } });

describe("dashboard protocol", () => {
  it("gives two clients with different subscriptions exactly their events", async () => {
    const [tasksOnly, alertsOnly] = await Promise.all([connect(), connect()]);
    await Promise.all([tasksOnly.subscribe(["tasks"]), alertsOnly.subscribe(["alerts"])]);

    const task = await submit({ type: "diagnostics.echo", agentType: "data-quality", priority: "high", payload: { n: 1 } });
    const marker = `announcement ${Date.now()}`;
    expect((await announce(marker)).status).toBe(202);

    await tasksOnly.waitFor((f) => f.type === "task_update" && f.data.taskId === task.taskId, 15_000, "task_update");
    await alertsOnly.waitFor((f) => f.type === "system_alert" && f.data.message === marker, 15_000, "system_alert");
    // Give a stray cross-delivery time to show up before asserting it never came.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(events(tasksOnly, "system_alert")).toEqual([]);
    expect(events(alertsOnly, "task_update")).toEqual([]);
  });

  it("keeps rooms apart, shows presence, and refuses messages to a room the sender is not in", async () => {
    const [alice, bob, carol] = await Promise.all([connect("admin"), connect("operator"), connect("viewer")]);
    const [lobby, other] = [uniqueRoom("lobby"), uniqueRoom("other")];

    await request(alice, { type: "join_room", room: lobby }, "joined");
    const joined = await request(bob, { type: "join_room", room: lobby }, "joined");
    expect((joined.data.members as { username: string }[]).map((m) => m.username).sort()).toEqual(["admin", "operator"]);
    await alice.waitFor(
      (f) =>
        f.type === "presence" &&
        f.data.action === "joined" &&
        f.data.room === lobby &&
        (f.data.member as { username: string }).username === "operator",
    );
    await request(carol, { type: "join_room", room: other }, "joined");

    alice.send({ type: "room_message", room: lobby, message: "hello lobby" });
    for (const member of [alice, bob]) {
      await member.waitFor((f) => f.type === "room_message" && f.data.message === "hello lobby", 10_000, "room_message");
    }
    const refused = await request(carol, { type: "room_message", room: lobby, message: "let me in" }, "error");
    expect(refused.data).toMatchObject({ code: "not_a_member" });

    // A drop without a close frame shows as `dropped`; a clean leave as `left`.
    bob.terminate();
    await alice.waitFor((f) => f.type === "presence" && f.data.room === lobby && f.data.action === "dropped", 15_000, "dropped");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(events(carol, "room_message")).toEqual([]);
    expect(events(carol, "presence").every((f) => f.data.room === other)).toBe(true);

    const rooms = await api<{ rooms: { room: string; members: { username: string }[] }[] }>("GET", "/api/websocket/rooms", {
      token: await tokenFor("viewer"),
    });
    expect(rooms.body.rooms.find((r) => r.room === lobby)?.members.map((m) => m.username)).toEqual(["admin"]);
    const history = await api<{ events: Frame[] }>("GET", `/api/websocket/event-history?room=${lobby}`);
    expect(history.body.events.map((e) => e.type)).toEqual(["presence", "presence", "room_message", "presence"]);
  });

  it("keeps a room's count true through a repeated join, a leave, a repeated leave and a drop (ADR 0025)", async () => {
    // GIVEN three members
    const [alice, bob, carol] = await Promise.all([connect("admin"), connect("operator"), connect("viewer")]);
    const room = uniqueRoom("tally");
    for (const member of [alice, bob, carol]) await request(member, { type: "join_room", room }, "joined");
    // WHEN alice joins again, carol leaves twice, and bob drops without a close frame
    expect((await request(alice, { type: "join_room", room }, "joined")).data.memberCount).toBe(3);
    await request(carol, { type: "leave_room", room }, "left");
    expect((await request(carol, { type: "leave_room", room }, "error")).data).toMatchObject({ code: "not_a_member" });
    bob.terminate();
    await alice.waitFor((f) => f.type === "presence" && f.data.room === room && f.data.action === "dropped", 15_000, "dropped");
    // THEN the room's kept count is the one membership left, as its rows say
    const table = outputs().ConnectionsTableName;
    const { Item: listing } = await db.send(new GetCommand({ TableName: table, Key: { pk: "ROOMS", sk: `LISTING#${room}` } }));
    const { Items: rows = [] } = await db.send(
      new QueryCommand({
        TableName: table,
        IndexName: "by-sk",
        KeyConditionExpression: "sk = :sk",
        ExpressionAttributeValues: { ":sk": `ROOM#${room}` },
      }),
    );
    expect(rows).toHaveLength(1);
    expect(listing).toMatchObject({ room, memberCount: 1 });
  });

  it("replays exactly the events a client missed, in order, after it reconnects", async () => {
    const observer = await connect();
    await observer.subscribe(["tasks"]);
    let client = await connect();
    await client.subscribe(["tasks"]);
    const first = await submit({ type: "diagnostics.echo", agentType: "data-quality", priority: "high", payload: { n: 0 } });
    const seen = await client.waitFor(
      (f) => f.type === "task_update" && f.data.taskId === first.taskId && f.data.status === "completed",
      20_000,
      "first task completed",
    );
    const lastSeq = Math.max(...client.frames.filter((f) => f.seq !== undefined).map((f) => f.seq as number), seen.seq as number);
    client.close();

    const missed = await Promise.all(
      [1, 2, 3].map((n) => submit({ type: "diagnostics.echo", agentType: "data-quality", priority: "normal", payload: { n } })),
    );
    for (const task of missed) {
      await observer.waitFor(
        (f) => f.type === "task_update" && f.data.taskId === task.taskId && f.data.status === "completed",
        20_000,
        "completed",
      );
    }

    client = await connect();
    await client.subscribe(["tasks"]);
    const replay = await request(client, { type: "replay", sinceSeq: lastSeq }, "replay");
    expect(replay.data.last).toBe(true);
    const replayed = replay.data.events as Frame[];
    const throughSeq = replay.data.throughSeq as number;
    const expected = observer.frames
      .filter((f) => f.type === "task_update" && (f.seq as number) > lastSeq && (f.seq as number) <= throughSeq)
      .map((f) => f.seq as number)
      // Live frames come from parallel broadcasts, so they may arrive out of order; a replay is in order.
      .sort((a, b) => a - b);
    expect(replayed.map((e) => e.seq)).toEqual(expected);
    expect(replayed.map((e) => e.seq)).toEqual(
      [...new Set(replayed.map((e) => e.seq))].sort((a, b) => (a as number) - (b as number)),
    );
    for (const task of missed) {
      expect(replayed.filter((e) => e.data.taskId === task.taskId).map((e) => e.data.status)).toContain("completed");
    }
  });

  it("answers a client over its rate limit with `rate_limited` and keeps the connection up", async () => {
    const client = await connect();
    for (let i = 0; i < 25; i++) client.send({ type: "ping", id: `burst-${i}` });
    const limited = await client.waitFor((f) => f.type === "error" && f.data.code === "rate_limited", 20_000, "rate_limited");
    expect(limited.data.retryAfter).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const pong = await request(client, { type: "ping", id: "after" }, "pong");
    expect(pong.data.id).toBe("after");
  });

  it("names the bad field in an error frame and stays connected", async () => {
    const client = await connect();
    const error = await request(client, { type: "replay", sinceSeq: 1, sinceTime: "2026-01-01T00:00:00Z" }, "error");
    expect(error.data).toMatchObject({ code: "invalid_field", fields: [{ field: "sinceSeq" }] });
    const badRoom = await request(client, { type: "join_room", room: "no spaces allowed" }, "error");
    expect(badRoom.data).toMatchObject({ code: "invalid_field", fields: [{ field: "room" }] });
    expect((await request(client, { type: "ping" }, "pong")).type).toBe("pong");
  });
});

describe("WebSocket management API", () => {
  it("lists connections for operators only, and lets only admins broadcast", async () => {
    const client = await connect();
    await client.subscribe(["alerts"]);
    const connectionId = await client.connectionId();

    expect((await api("GET", "/api/websocket/connections", { token: await tokenFor("viewer") })).status).toBe(403);
    const listed = await api<{ connections: { connectionId: string; subscriptions: string[] }[] }>(
      "GET",
      "/api/websocket/connections?limit=100",
      { token: await tokenFor("operator") },
    );
    expect(listed.status).toBe(200);
    expect(listed.body.connections.find((c) => c.connectionId === connectionId)?.subscriptions).toEqual(["alerts"]);

    const byOperator = await api("POST", "/api/websocket/broadcast", {
      token: await tokenFor("operator"),
      body: { message: "hi" },
    });
    expect(byOperator.status).toBe(403);
    const bad = await api<{ error: { fields: { field: string }[] } }>("POST", "/api/websocket/broadcast", {
      body: { message: "" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f) => f.field)).toContain("message");
    const history = await api("GET", "/api/websocket/event-history?room=a&topic=tasks");
    expect(history.status).toBe(400);
  });
});
