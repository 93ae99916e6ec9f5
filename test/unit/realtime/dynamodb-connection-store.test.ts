import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchGetCommand, DeleteCommand, DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import {
  CONNECTION_TTL_SECONDS,
  DynamoDbConnectionStore,
  RECOUNT_SETTLE_SECONDS,
  ROOM_LISTING_TTL_SECONDS,
} from "#realtime/adapters/dynamodb-connection-store";
import { listConnections } from "#realtime/domain/management";
import { aConnection } from "../../support/in-memory-connections";
import { FakeDynamoTable } from "../../support/fake-dynamo-table";

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" }));
const mock = mockClient(db);
const NOW = new Date("2026-11-23T10:00:00.000Z");

let table: FakeDynamoTable;
let now: Date;
let store: DynamoDbConnectionStore;
beforeEach(() => {
  mock.reset();
  table = new FakeDynamoTable().serve(mock);
  now = NOW;
  store = new DynamoDbConnectionStore(db, "connections", () => now);
});

const member = (connectionId: string, joinedAt = NOW.toISOString()) => ({
  connectionId,
  sub: `sub-${connectionId}`,
  username: `user-${connectionId}`,
  joinedAt,
});
const rowsOf = (connectionId: string) => [...table.items.values()].filter((item) => item.pk === `CONN#${connectionId}`);

describe("DynamoDbConnectionStore", () => {
  describe("countOf", () => {
    it("counts a user's open connections, not another user's, and forgets a removed one", async () => {
      await store.put(aConnection("a1", { sub: "ann" }));
      await store.put(aConnection("a2", { sub: "ann" }));
      await store.put(aConnection("b1", { sub: "bob" }));
      expect(await store.countOf("ann")).toBe(2);
      expect(await store.countOf("bob")).toBe(1);
      await store.remove("a1");
      expect(await store.countOf("ann")).toBe(1);
      expect([...table.items.values()].filter((item) => item.pk === "USER#ann")).toHaveLength(1);
    });

    it("does not count a connection past its expiry that TTL has not deleted yet", async () => {
      await store.put(aConnection("a1", { sub: "ann" }));
      now = new Date(NOW.getTime() + (CONNECTION_TTL_SECONDS + 1) * 1_000);
      expect(await store.countOf("ann")).toBe(0);
    });
  });

  describe("remove", () => {
    it("removes the connection with its subscriptions, rooms and bucket, and answers the rooms it was in", async () => {
      // GIVEN
      await store.put(aConnection("c1"));
      await store.subscribe("c1", ["tasks", "alerts"]);
      await store.join("lobby", member("c1"));
      table.put({ TableName: "connections", Item: { pk: "CONN#c1", sk: "BUCKET", tokens: 1, at: 0 } });
      // WHEN
      const removed = await store.remove("c1");
      // THEN
      expect(removed).toEqual([{ room: "lobby", member: member("c1") }]);
      expect(rowsOf("c1")).toEqual([]);
      expect(await store.subscribers("tasks")).toEqual([]);
      expect(await store.members("lobby")).toEqual([]);
    });

    it("answers undefined when META was already gone, and still clears what was left", async () => {
      // GIVEN someone else deleted META first; a subscription written late is still there
      await store.subscribe("c1", ["tasks"]);
      // WHEN
      const removed = await store.remove("c1");
      // THEN
      expect(removed).toBeUndefined();
      expect(rowsOf("c1")).toEqual([]);
    });

    it("answers undefined from a canned DeleteCommand with no old row", async () => {
      mock.on(DeleteCommand).resolves({});
      mock.on(QueryCommand).resolves({ Items: [] });
      expect(await store.remove("c1")).toBeUndefined();
      expect(mock.commandCalls(DeleteCommand)[0]?.args[0].input).toMatchObject({
        Key: { pk: "CONN#c1", sk: "META" },
        ReturnValues: "ALL_OLD",
      });
    });

    it("answers the rooms to exactly one of two removes racing for the same connection", async () => {
      await store.put(aConnection("c1"));
      await store.join("lobby", member("c1"));
      const answers = await Promise.all([store.remove("c1"), store.remove("c1")]);
      expect(answers.filter((answer) => answer !== undefined)).toEqual([[{ room: "lobby", member: member("c1") }]]);
    });
  });

  it("finds subscribers and members through the index, members in join order", async () => {
    await store.subscribe("c1", ["tasks"]);
    await store.subscribe("c2", ["tasks", "alerts"]);
    await store.join("lobby", member("c2", "2026-11-23T10:00:05.000Z"));
    await store.join("lobby", member("c1", "2026-11-23T10:00:09.000Z"));
    expect((await store.subscribers("tasks")).sort()).toEqual(["c1", "c2"]);
    expect(await store.subscribers("alerts")).toEqual(["c2"]);
    expect((await store.members("lobby")).map((m) => m.connectionId)).toEqual(["c2", "c1"]);
    expect(mock.commandCalls(QueryCommand).every((call) => call.args[0].input.IndexName === "by-sk")).toBe(true);
  });

  it("answers false to joining a room twice, and keeps the first joinedAt", async () => {
    expect(await store.join("lobby", member("c1", "2026-11-23T10:00:00.000Z"))).toBe(true);
    expect(await store.join("lobby", member("c1", "2026-11-23T10:05:00.000Z"))).toBe(false);
    expect(await store.members("lobby")).toEqual([member("c1", "2026-11-23T10:00:00.000Z")]);
    expect(await store.roomsOf("c1")).toEqual(["lobby"]);
  });

  it("answers who left, and undefined to leaving a room it is not in", async () => {
    await store.join("lobby", member("c1"));
    expect(await store.leave("ops", "c1")).toBeUndefined();
    expect(await store.leave("lobby", "c1")).toEqual(member("c1"));
    expect(await store.leave("lobby", "c1")).toBeUndefined();
  });

  it("lists at most a limit of a room's members", async () => {
    for (const id of ["c1", "c2", "c3"]) await store.join("lobby", member(id));
    expect(await store.members("lobby", { limit: 2 })).toHaveLength(2);
  });

  describe("the kept count (ADR 0025)", () => {
    const countOf = async (room: string) => (await store.tally(room)).memberCount;

    it("moves with every join, leave and removal, in one read of the room's own rows and no query", async () => {
      await store.put(aConnection("c1"));
      for (const id of ["c1", "c2", "c3"]) await store.join("lobby", member(id));
      expect(await countOf("lobby")).toBe(3);
      await store.leave("lobby", "c2");
      expect(await countOf("lobby")).toBe(2);
      await store.remove("c1");
      mock.resetHistory();
      expect(await store.tally("lobby")).toEqual({ memberCount: 1, version: 5, listed: [] });
      expect(mock.commandCalls(BatchGetCommand)).toHaveLength(1);
      expect(mock.commandCalls(QueryCommand)).toHaveLength(0);
    });

    it("counts a repeated join, leave or removal once, and two removals racing for one connection once", async () => {
      // GIVEN c1 and c2 in the room, c2 also in another
      await store.put(aConnection("c2"));
      for (const id of ["c1", "c2"]) await store.join("lobby", member(id));
      await store.join("ops", member("c2"));
      // WHEN each change is sent twice
      await store.join("lobby", member("c1"));
      await store.leave("lobby", "c1");
      await store.leave("lobby", "c1");
      await Promise.all([store.remove("c2"), store.remove("c2")]);
      // THEN
      expect(await countOf("lobby")).toBe(0);
      expect(await countOf("ops")).toBe(0);
    });

    it("drifts when a membership goes without its count (the control: rows TTL deletes), until a summary recounts", async () => {
      // GIVEN three members, one of whose rows DynamoDB's TTL deletes
      for (const id of ["c1", "c2", "c3"]) await store.join("lobby", member(id));
      table.delete({ TableName: "connections", Key: { pk: "CONN#c3", sk: "ROOM#lobby" } });
      const since = await store.tally("lobby");
      expect(since.memberCount).toBe(3);
      // WHEN a summary reads every member, long enough after the last change for the index to show it
      now = new Date(NOW.getTime() + (RECOUNT_SETTLE_SECONDS + 1) * 1000);
      const found = await store.members("lobby");
      await store.recount("lobby", { members: found.slice(0, 1), memberCount: found.length }, since);
      // THEN the count is what it found, and later joins list the first members it read
      expect(await store.tally("lobby")).toEqual({ memberCount: 2, version: since.version, listed: [member("c1")] });
    });

    it("shows a count driven below zero as it is, so a recount corrects it (a membership from before counts were kept)", async () => {
      // GIVEN a membership written before the listing kept a count, then left
      table.put({ TableName: "connections", Item: { pk: "CONN#c1", sk: "ROOM#lobby", room: "lobby", ...member("c1") } });
      await store.leave("lobby", "c1");
      const since = await store.tally("lobby");
      expect(since.memberCount).toBe(-1);
      // WHEN the room's next summary reads it, settled
      now = new Date(NOW.getTime() + (RECOUNT_SETTLE_SECONDS + 1) * 1000);
      await store.recount("lobby", { members: [], memberCount: 0 }, since);
      // THEN
      expect((await store.tally("lobby")).memberCount).toBe(0);
    });

    it("keeps its count when a change came after the tally, or too lately for the index to have shown it", async () => {
      for (const id of ["c1", "c2"]) await store.join("lobby", member(id));
      const since = await store.tally("lobby");
      // too lately: the index may not show c2 yet
      await store.recount("lobby", { members: [member("c1")], memberCount: 1 }, since);
      expect(await countOf("lobby")).toBe(2);
      // a change since the tally
      now = new Date(NOW.getTime() + (RECOUNT_SETTLE_SECONDS + 1) * 1000);
      await store.join("lobby", member("c3"));
      now = new Date(now.getTime() + (RECOUNT_SETTLE_SECONDS + 1) * 1000);
      await store.recount("lobby", { members: [member("c1")], memberCount: 1 }, since);
      expect(await countOf("lobby")).toBe(3);
      // the list is kept either way
      expect((await store.tally("lobby")).listed).toEqual([member("c1")]);
    });
  });

  it("expires connection rows with the connection, and lists a room until its listing expires", async () => {
    // GIVEN
    await store.put(aConnection("c1"));
    await store.join("lobby", member("c1"));
    await store.leave("lobby", "c1");
    const nowSeconds = NOW.getTime() / 1000;
    // THEN
    expect(rowsOf("c1").map((item) => item.expiresAt)).toEqual([nowSeconds + CONNECTION_TTL_SECONDS]);
    expect(await store.rooms()).toEqual(["lobby"]);
    now = new Date(NOW.getTime() + ROOM_LISTING_TTL_SECONDS * 1000);
    expect(await store.rooms()).toEqual([]);
  });

  it("lists connections a page at a time in id order, with a cursor between pages", async () => {
    for (const id of ["c3", "c1", "c2"]) await store.put(aConnection(id));
    const first = await store.list({ limit: 2 });
    const second = await store.list({ limit: 2, ...(first.cursor ? { cursor: first.cursor } : {}) });
    expect(first.connections).toEqual([aConnection("c1"), aConnection("c2")]);
    expect(second.connections).toEqual([aConnection("c3")]);
    expect(second).not.toHaveProperty("cursor");
  });

  it("lists only connections when a room is named like a connection's row", async () => {
    // GIVEN a room called META: its listing row has sk = META, like every connection's row
    await store.put(aConnection("c1"));
    await store.join("META", member("c1"));
    // WHEN
    const view = await listConnections({ limit: 50 }, store);
    // THEN
    expect(view.connections.map((connection) => connection.connectionId)).toEqual(["c1"]);
  });
});
