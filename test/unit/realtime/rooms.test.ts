import { describe, expect, it } from "vitest";
import type { Connection } from "#realtime/domain/ports";
import type { PresenceData, RoomMessageData, ServerEvent } from "#realtime/published/protocol";
import { dropConnection, publish } from "#realtime/domain/publishing";
import { joinRoom, leaveRoom, NotARoomMemberError, sendRoomMessage } from "#realtime/domain/rooms";
import { aConnection, inMemoryPublishDeps, RecordingGateway } from "../../support/in-memory-connections";

type Deps = ReturnType<typeof inMemoryPublishDeps>;

const presenceSentTo = (deps: Deps, connectionId: string) =>
  (deps.gateway.sentTo(connectionId) as ServerEvent<PresenceData>[]).filter((frame) => frame.type === "presence");
const presenceIn = (deps: Deps, room: string) =>
  (deps.history.streams.get(`ROOM#${room}`) ?? []).filter((event) => event.type === "presence") as ServerEvent<PresenceData>[];
const ids = (members: readonly { connectionId: string }[]) => members.map((member) => member.connectionId);

/** Opens connections, each by its id, and answers them by id. */
async function connected<const Id extends string>(deps: Deps, ...connectionIds: Id[]): Promise<Record<Id, Connection>> {
  const connections = {} as Record<Id, Connection>;
  for (const id of connectionIds) {
    connections[id] = aConnection(id);
    await deps.connections.put(connections[id]);
  }
  return connections;
}

describe("joinRoom", () => {
  it("tells the members already there, and the joiner, with a `joined` presence event carrying who is in the room", async () => {
    // GIVEN
    const deps = inMemoryPublishDeps();
    const { alice, bob } = await connected(deps, "alice", "bob");
    await joinRoom(alice, "lobby", deps);
    // WHEN
    const members = await joinRoom(bob, "lobby", deps);
    // THEN
    expect(ids(members)).toEqual(["alice", "bob"]);
    const told = presenceSentTo(deps, "alice").at(-1);
    expect(told).toMatchObject({
      type: "presence",
      data: {
        room: "lobby",
        action: "joined",
        member: { connectionId: "bob", sub: "sub-bob", username: "user-bob", joinedAt: "2026-11-23T10:00:00.000Z" },
      },
    });
    expect(ids(told?.data.members ?? [])).toEqual(["alice", "bob"]);
    expect(presenceSentTo(deps, "bob")).toEqual([told]);
  });

  it("announces a second join of the same connection not at all", async () => {
    const deps = inMemoryPublishDeps();
    const { alice } = await connected(deps, "alice");
    await joinRoom(alice, "lobby", deps);
    const members = await joinRoom(alice, "lobby", deps);
    expect(ids(members)).toEqual(["alice"]);
    expect(presenceSentTo(deps, "alice")).toHaveLength(1);
    expect(presenceIn(deps, "lobby")).toHaveLength(1);
  });

  it("does not tell other rooms", async () => {
    const deps = inMemoryPublishDeps();
    const { alice, bob } = await connected(deps, "alice", "bob");
    await joinRoom(alice, "war-room", deps);
    await joinRoom(bob, "lobby", deps);
    expect(presenceSentTo(deps, "alice").map((event) => event.data.room)).toEqual(["war-room"]);
  });
});

describe("leaveRoom", () => {
  it("tells the members left behind with a `left` presence event, and no longer sends the leaver the room's events", async () => {
    // GIVEN
    const deps = inMemoryPublishDeps();
    const { alice, bob } = await connected(deps, "alice", "bob");
    await joinRoom(alice, "lobby", deps);
    await joinRoom(bob, "lobby", deps);
    const bobSaw = deps.gateway.sentTo("bob").length;
    // WHEN
    await leaveRoom("bob", "lobby", deps);
    await sendRoomMessage(alice, "lobby", "still here?", deps);
    // THEN
    expect(presenceSentTo(deps, "alice").at(-1)?.data).toMatchObject({ action: "left", member: { connectionId: "bob" } });
    expect(ids(presenceSentTo(deps, "alice").at(-1)?.data.members ?? [])).toEqual(["alice"]);
    expect(deps.gateway.sentTo("bob")).toHaveLength(bobSaw);
  });

  it("refuses to leave a room the connection is not in with NotARoomMemberError, and announces nothing", async () => {
    const deps = inMemoryPublishDeps();
    const { alice } = await connected(deps, "alice", "bob");
    await joinRoom(alice, "lobby", deps);
    const before = presenceIn(deps, "lobby").length;
    await expect(leaveRoom("bob", "lobby", deps)).rejects.toBeInstanceOf(NotARoomMemberError);
    await expect(leaveRoom("bob", "nowhere", deps)).rejects.toThrow('not in room "nowhere"');
    expect(presenceIn(deps, "lobby")).toHaveLength(before);
  });
});

describe("sendRoomMessage", () => {
  it("delivers to every member, the sender included, and to no one outside the room", async () => {
    // GIVEN
    const deps = inMemoryPublishDeps();
    const { alice, bob } = await connected(deps, "alice", "bob");
    await joinRoom(alice, "lobby", deps);
    await joinRoom(bob, "lobby", deps);
    await deps.connections.subscribe("carol", ["all"]);
    // WHEN
    const event = await sendRoomMessage(alice, "lobby", "gm", deps);
    // THEN
    expect(event.data).toEqual({
      room: "lobby",
      from: { sub: "sub-alice", username: "user-alice", connectionId: "alice" },
      message: "gm",
    });
    expect(deps.gateway.sentTo("alice").at(-1)).toEqual(event);
    expect(deps.gateway.sentTo("bob").at(-1)).toEqual(event);
    expect(deps.gateway.sentTo("carol")).toEqual([]);
  });

  it("refuses a message from a connection outside the room, and sends and records nothing", async () => {
    const deps = inMemoryPublishDeps();
    const { alice, mallory } = await connected(deps, "alice", "mallory");
    await joinRoom(alice, "lobby", deps);
    const aliceSaw = deps.gateway.sentTo("alice").length;
    await expect(sendRoomMessage(mallory, "lobby", "hi", deps)).rejects.toBeInstanceOf(NotARoomMemberError);
    expect(deps.gateway.sentTo("alice")).toHaveLength(aliceSaw);
    expect(deps.history.streams.get("ROOM#lobby")?.some((event) => event.type === "room_message")).toBe(false);
  });
});

describe("dropConnection", () => {
  it("announces `dropped` once to each room the connection was in, to the members left behind", async () => {
    // GIVEN alice is in two rooms, bob in one of them
    const deps = inMemoryPublishDeps();
    const { alice, bob } = await connected(deps, "alice", "bob");
    await joinRoom(alice, "lobby", deps);
    await joinRoom(alice, "war-room", deps);
    await joinRoom(bob, "lobby", deps);
    // WHEN
    await dropConnection("alice", "dropped", deps);
    // THEN
    const dropped = (room: string) => presenceIn(deps, room).filter((event) => event.data.action === "dropped");
    expect(dropped("lobby")).toHaveLength(1);
    expect(dropped("lobby")[0]?.data).toMatchObject({ member: { connectionId: "alice" } });
    expect(ids(dropped("lobby")[0]?.data.members ?? [])).toEqual(["bob"]);
    expect(dropped("war-room")).toHaveLength(1);
    expect(presenceSentTo(deps, "bob").at(-1)?.data.action).toBe("dropped");
    expect(await deps.connections.get("alice")).toBeUndefined();
    expect(await deps.connections.roomsOf("alice")).toEqual([]);
  });

  it("announces nothing from a second drop of the same connection running at the same time", async () => {
    // GIVEN
    const deps = inMemoryPublishDeps();
    const { alice, bob } = await connected(deps, "alice", "bob");
    await joinRoom(alice, "lobby", deps);
    await joinRoom(bob, "lobby", deps);
    // WHEN two handlers find alice gone at once
    await Promise.all([dropConnection("alice", "dropped", deps), dropConnection("alice", "dropped", deps)]);
    // THEN
    expect(presenceIn(deps, "lobby").filter((event) => event.data.action === "dropped")).toHaveLength(1);
    expect(presenceSentTo(deps, "bob").filter((event) => event.data.action === "dropped")).toHaveLength(1);
  });

  it("announces a clean close as `left`", async () => {
    const deps = inMemoryPublishDeps();
    const { alice, bob } = await connected(deps, "alice", "bob");
    await joinRoom(alice, "lobby", deps);
    await joinRoom(bob, "lobby", deps);
    await dropConnection("bob", "left", deps);
    expect(presenceSentTo(deps, "alice").at(-1)?.data).toMatchObject({ action: "left", member: { connectionId: "bob" } });
  });
});

describe("publish", () => {
  it("gives presence events a seq after the others and stores them in the room's history, not a topic's", async () => {
    // GIVEN
    const deps = inMemoryPublishDeps();
    const { alice, bob } = await connected(deps, "alice", "bob");
    await publish("task_update", { taskId: "t1" }, deps);
    // WHEN
    await joinRoom(alice, "lobby", deps);
    await joinRoom(bob, "lobby", deps);
    // THEN
    expect(presenceIn(deps, "lobby").map((event) => [event.seq, event.data.member.connectionId])).toEqual([
      [2, "alice"],
      [3, "bob"],
    ]);
    expect(deps.history.streams.get("TOPIC#tasks")?.map((event) => event.seq)).toEqual([1]);
    expect(presenceIn(deps, "lobby")[0]).toEqual(presenceSentTo(deps, "alice")[0]);
  });

  it("drops a room member found gone during delivery, announcing `dropped` to the rest of its room", async () => {
    // GIVEN bob's connection has vanished without a $disconnect
    const gateway = new RecordingGateway();
    const deps = inMemoryPublishDeps({ gateway });
    const { alice, bob } = await connected(deps, "alice", "bob");
    await joinRoom(alice, "lobby", deps);
    await joinRoom(bob, "lobby", deps);
    gateway.gone.add("bob");
    // WHEN
    const { event, report } = await publish<RoomMessageData>(
      "room_message",
      { room: "lobby", from: { sub: "sub-alice", username: "user-alice" }, message: "anyone?" },
      deps,
    );
    // THEN
    expect(report).toMatchObject({ recipients: 2, delivered: 1, gone: 1 });
    expect(deps.gateway.sentTo("alice")).toContainEqual(event);
    expect(presenceSentTo(deps, "alice").at(-1)?.data).toMatchObject({ action: "dropped", member: { connectionId: "bob" } });
    expect(await deps.connections.get("bob")).toBeUndefined();
  });
});
