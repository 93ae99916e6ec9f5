import { describe, expect, it, vi } from "vitest";
import type { Connection } from "#realtime/domain/ports";
import type {
  PresenceChangeData,
  PresenceData,
  PresenceSummaryData,
  RoomMessageData,
  ServerEvent,
} from "#realtime/published/protocol";
import { dropConnection, publish } from "#realtime/domain/publishing";
import { joinRoom, leaveRoom, NotARoomMemberError, sendRoomMessage } from "#realtime/domain/rooms";
import { summarizePresence } from "#realtime/domain/presence-summary";
import { PRESENCE_POLICY, summaryDelayFor } from "#realtime/published/room-rules";
import { aConnection, inMemoryPublishDeps, ManualClock, RecordingGateway } from "../../support/in-memory-connections";

type Deps = ReturnType<typeof inMemoryPublishDeps>;

const presenceSentTo = (deps: Deps, connectionId: string) =>
  (deps.gateway.sentTo(connectionId) as ServerEvent<PresenceChangeData>[]).filter((frame) => frame.type === "presence");
const presenceIn = (deps: Deps, room: string) =>
  (deps.history.streams.get(`ROOM#${room}`) ?? []).filter(
    (event) => event.type === "presence",
  ) as ServerEvent<PresenceChangeData>[];
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
    const { members, memberCount } = await joinRoom(bob, "lobby", deps);
    // THEN
    expect(ids(members)).toEqual(["alice", "bob"]);
    expect(memberCount).toBe(2);
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
    const { members } = await joinRoom(alice, "lobby", deps);
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

/** A room already holding `count` members (written straight to the store: no presence). */
async function roomOf(deps: Deps, room: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `m${String(i).padStart(3, "0")}`);
  for (const id of ids) {
    await deps.connections.put(aConnection(id));
    await deps.connections.join(room, {
      connectionId: id,
      sub: `sub-${id}`,
      username: `user-${id}`,
      joinedAt: "2026-11-23T09:30:00.000Z",
    });
  }
  return ids;
}
const summariesSentTo = (deps: Deps, connectionId: string) =>
  (deps.gateway.sentTo(connectionId) as ServerEvent<PresenceData>[]).filter(
    (frame): frame is ServerEvent<PresenceSummaryData> => frame.type === "presence" && frame.data.action === "summary",
  );

describe("presence in a large room", () => {
  const large = PRESENCE_POLICY.perChangeUpTo;

  it("keeps a join past the per-change size for one scheduled summary instead of telling every member", async () => {
    // GIVEN a room at the size up to which changes go out one by one
    const deps = inMemoryPublishDeps();
    const members = await roomOf(deps, "hall", large);
    const { alice, bob } = await connected(deps, "alice", "bob");
    // WHEN two more join
    await joinRoom(alice, "hall", deps);
    await joinRoom(bob, "hall", deps);
    // THEN nobody was sent presence yet, and one summary is scheduled for both
    expect([...members, "alice", "bob"].flatMap((id) => presenceSentTo(deps, id))).toEqual([]);
    expect(deps.presence.scheduler.scheduled).toEqual([{ room: "hall", delaySeconds: summaryDelayFor(large + 1) }]);
    expect(
      (await deps.presence.pending.waiting("hall", 10)).map(({ change }) => [change.action, change.member.connectionId]),
    ).toEqual([
      ["joined", "alice"],
      ["joined", "bob"],
    ]);
  });

  it("waits longer before a larger room's summary, so a room's presence costs about the same frames a second", async () => {
    // GIVEN a room of 300, and a second of 51
    const deps = inMemoryPublishDeps();
    await roomOf(deps, "big", 300);
    await roomOf(deps, "small", large + 1);
    const { alice, bob } = await connected(deps, "alice", "bob");
    // WHEN one joins each; then, after the big room's summary, one leaves it (a leave knows no count: it is read)
    await joinRoom(alice, "big", deps);
    await joinRoom(bob, "small", deps);
    await summarizePresence("big", deps);
    await leaveRoom("m000", "big", deps);
    // THEN each summary waits a second per summaryPostsPerSecond members, at least the shortest wait
    const per = PRESENCE_POLICY.summaryPostsPerSecond;
    expect(deps.presence.scheduler.scheduled).toEqual([
      { room: "big", delaySeconds: Math.ceil(301 / per) },
      { room: "small", delaySeconds: Math.max(PRESENCE_POLICY.summaryDelaySeconds, Math.ceil((large + 2) / per)) },
      { room: "big", delaySeconds: Math.ceil(300 / per) },
    ]);
    expect(summaryDelayFor(0)).toBe(PRESENCE_POLICY.summaryDelaySeconds);
    expect(summaryDelayFor(1_000_000)).toBe(PRESENCE_POLICY.maxSummaryDelaySeconds);
  });

  it("control: one member fewer, the join goes to every member at once and nothing is scheduled", async () => {
    const deps = inMemoryPublishDeps();
    const members = await roomOf(deps, "hall", large - 1);
    const { alice } = await connected(deps, "alice");
    await joinRoom(alice, "hall", deps);
    expect(presenceSentTo(deps, members[0] ?? "")).toHaveLength(1);
    expect(deps.presence.scheduler.scheduled).toEqual([]);
  });

  it("answers a join with a bounded member list and the count of all", async () => {
    const deps = inMemoryPublishDeps();
    await roomOf(deps, "hall", PRESENCE_POLICY.membersListed + 20);
    const { alice } = await connected(deps, "alice");
    const reads = vi.spyOn(deps.connections, "members");
    const joined = await joinRoom(alice, "hall", deps);
    // The list read for the answer also decides the presence regime: the room is not read again.
    expect(reads).toHaveBeenCalledTimes(1);
    expect(joined.members).toHaveLength(PRESENCE_POLICY.membersListed);
    expect(joined.memberCount).toBe(PRESENCE_POLICY.membersListed + 21);
  });

  it("answers a join past the listed size from the room's tally, reading no members: the ones its last summary listed, and the kept count", async () => {
    // GIVEN a room past the listed size whose last summary listed its first members
    const deps = inMemoryPublishDeps();
    const members = await roomOf(deps, "hall", PRESENCE_POLICY.membersListed + 20);
    const { alice, bob } = await connected(deps, "alice", "bob");
    await joinRoom(alice, "hall", deps);
    await summarizePresence("hall", deps);
    // WHEN another joins
    const reads = vi.spyOn(deps.connections, "members");
    const joined = await joinRoom(bob, "hall", deps);
    // THEN (control: before the room's first summary the same join read the members, above)
    expect(reads).not.toHaveBeenCalled();
    expect(ids(joined.members)).toEqual(members.slice(0, PRESENCE_POLICY.membersListed));
    expect(joined.memberCount).toBe(PRESENCE_POLICY.membersListed + 22);
  });

  it("decides a large room's leave and drop on its kept count, reading no members", async () => {
    const deps = inMemoryPublishDeps();
    const members = await roomOf(deps, "hall", large + 10);
    const reads = vi.spyOn(deps.connections, "members");
    await leaveRoom(members[0] ?? "", "hall", deps);
    await dropConnection(members[1] ?? "", "dropped", deps);
    expect(reads).not.toHaveBeenCalled();
    expect((await deps.presence.pending.waiting("hall", 10)).map(({ change }) => change.action)).toEqual(["left", "dropped"]);
  });

  it("recounts a room whose kept count drifted, as its summary reads every member", async () => {
    // GIVEN a membership gone without its count (DynamoDB's TTL deleted the row)
    const deps = inMemoryPublishDeps();
    const size = PRESENCE_POLICY.membersListed + 10;
    const members = await roomOf(deps, "hall", size);
    deps.connections.roomMembers.get("hall")?.delete(members[0] ?? "");
    const { alice } = await connected(deps, "alice");
    expect((await joinRoom(alice, "hall", deps)).memberCount).toBe(size + 1);
    // WHEN its summary goes out
    await summarizePresence("hall", deps);
    // THEN the summary and the tally both say how many are there
    expect(summariesSentTo(deps, "alice")[0]?.data.memberCount).toBe(size);
    expect((await deps.connections.tally("hall")).memberCount).toBe(size);
  });

  it("sends every member one summary with the counts, the newest changes named, and the size now; then forgets them", async () => {
    // GIVEN 60 joins and a leave waiting
    const clock = new ManualClock();
    const deps = inMemoryPublishDeps({ clock });
    const members = await roomOf(deps, "hall", large);
    const joiners = Object.values(
      await connected(deps, ...Array.from({ length: 60 }, (_, i) => `j${String(i).padStart(2, "0")}`)),
    );
    for (const joiner of joiners) {
      clock.advance(10);
      await joinRoom(joiner, "hall", deps);
    }
    await leaveRoom(members[0] ?? "", "hall", deps);
    // WHEN the summary comes due
    const { announced } = await summarizePresence("hall", deps);
    // THEN
    expect(announced).toBe(61);
    const summary = summariesSentTo(deps, "j59");
    expect(summary).toHaveLength(1);
    expect(summary[0]?.data).toMatchObject({
      room: "hall",
      memberCount: large + 60 - 1,
      counts: { joined: 60, left: 1, dropped: 0 },
    });
    expect(summary[0]?.data.changes).toHaveLength(PRESENCE_POLICY.changesNamed);
    expect(summary[0]?.data.changes.at(-1)).toMatchObject({ action: "left", member: { connectionId: members[0] } });
    expect(summariesSentTo(deps, members[1] ?? "")).toEqual(summary);
    expect(summariesSentTo(deps, members[0] ?? "")).toEqual([]);
    expect(await deps.presence.pending.waiting("hall", 100)).toEqual([]);
  });

  it("sends nothing when its message is delivered twice", async () => {
    const deps = inMemoryPublishDeps();
    await roomOf(deps, "hall", large);
    const { alice } = await connected(deps, "alice");
    await joinRoom(alice, "hall", deps);
    await summarizePresence("hall", deps);
    expect(await summarizePresence("hall", deps)).toEqual({ announced: 0 });
    expect(summariesSentTo(deps, "alice")).toHaveLength(1);
  });

  it("keeps the changes of a summary that failed on the way, for the message's next delivery", async () => {
    // GIVEN the summary's recording fails
    const deps = inMemoryPublishDeps();
    await roomOf(deps, "hall", large);
    const { alice } = await connected(deps, "alice");
    await joinRoom(alice, "hall", deps);
    const next = deps.sequence.next.bind(deps.sequence);
    deps.sequence.next = async () => {
      throw new Error("throttled");
    };
    await expect(summarizePresence("hall", deps)).rejects.toThrow("throttled");
    // WHEN the message comes back
    deps.sequence.next = next;
    const { announced } = await summarizePresence("hall", deps);
    // THEN the join is announced after all
    expect(announced).toBe(1);
    expect(summariesSentTo(deps, "alice")[0]?.data.changes).toMatchObject([
      { action: "joined", member: { connectionId: "alice" } },
    ]);
  });

  it("schedules the next summary for a change that comes once a summary has started", async () => {
    const deps = inMemoryPublishDeps();
    await roomOf(deps, "hall", large);
    const { alice, bob } = await connected(deps, "alice", "bob");
    await joinRoom(alice, "hall", deps);
    await summarizePresence("hall", deps);
    await joinRoom(bob, "hall", deps);
    expect(deps.presence.scheduler.scheduled).toHaveLength(2);
  });

  it("schedules again when the due summary's message was lost, once its mark is stale", async () => {
    // GIVEN a summary marked due whose message never came
    const clock = new ManualClock();
    const deps = inMemoryPublishDeps({ clock });
    await roomOf(deps, "hall", large);
    const { alice, bob, carol } = await connected(deps, "alice", "bob", "carol");
    await joinRoom(alice, "hall", deps);
    // WHEN a change comes within a few of the longest intervals, and another after them
    const longest = PRESENCE_POLICY.maxSummaryDelaySeconds * 1000;
    clock.advance(longest);
    await joinRoom(bob, "hall", deps);
    clock.advance(3 * longest);
    await joinRoom(carol, "hall", deps);
    // THEN only the late one schedules another
    expect(deps.presence.scheduler.scheduled).toHaveLength(2);
  });

  it("announces a member dropped from a large room in its summary", async () => {
    const deps = inMemoryPublishDeps();
    // (50 are left behind: more than the per-change size would have told at once)
    const members = await roomOf(deps, "hall", large + 2);
    await dropConnection(members[3] ?? "", "dropped", deps);
    expect((await deps.presence.pending.waiting("hall", 10)).map(({ change }) => change.action)).toEqual(["dropped"]);
  });
});
