import type { RoomName } from "#kernel/bus/room-message";
import type { Connection, RoomView } from "./ports";
import type { JoinedData, RoomMember, RoomMessageData, ServerEvent } from "../published/protocol";
import { CONNECTION_LIMITS, mayJoin, mayPost, PRESENCE_POLICY, ruleOf } from "../published/room-rules";
import { announcePresence, idsOf, type PublishDeps, publish } from "./publishing";

export class NotARoomMemberError extends Error {
  constructor(readonly room: RoomName) {
    super(`this connection is not in room "${room}"; send join_room first`);
  }
}

/** The room's rule does not let the connection's roles do what it asked. */
export class RoomForbiddenError extends Error {
  constructor(
    readonly room: RoomName,
    readonly action: "join" | "post",
  ) {
    super(
      `${action === "join" ? "joining" : "posting in"} room "${room}" requires one of the roles: ${ruleOf(room)[action].join(", ")}`,
    );
    this.name = "RoomForbiddenError";
  }
}

/** The connection is in as many rooms as it may be. */
export class RoomLimitError extends Error {
  constructor(readonly limit: number) {
    super(`room_limit: a connection is in at most ${limit} rooms at once; leave one first`);
    this.name = "RoomLimitError";
  }
}

/**
 * Joins a room and tells its members; answers who is in it (at most
 * `PRESENCE_POLICY.membersListed` of them) and how many. Joining twice is a no-op.
 * @throws RoomForbiddenError when the room's rule does not admit the connection's roles
 * @throws RoomLimitError past `CONNECTION_LIMITS.roomsPerConnection`
 */
export async function joinRoom(connection: Connection, room: RoomName, deps: PublishDeps): Promise<JoinedData> {
  if (!mayJoin(connection.roles, room)) throw new RoomForbiddenError(room, "join");
  const joined = await deps.connections.roomsOf(connection.connectionId);
  if (!joined.includes(room) && joined.length >= CONNECTION_LIMITS.roomsPerConnection) {
    throw new RoomLimitError(CONNECTION_LIMITS.roomsPerConnection);
  }
  const member: RoomMember = {
    connectionId: connection.connectionId,
    sub: connection.sub,
    username: connection.username,
    joinedAt: deps.clock.now().toISOString(),
  };
  const added = await deps.connections.join(room, member);
  const now = await roomAfterJoin(room, deps);
  if (added) await announcePresence(room, { action: "joined", member, at: member.joinedAt }, deps, now);
  return { room, ...now };
}

/**
 * Who is in a room a joiner has just joined, at a cost that does not grow with the room: up to
 * `membersListed` members read from the index; past that, the room's kept count and the members
 * its last summary listed (ADR 0025).
 */
async function roomAfterJoin(room: RoomName, deps: PublishDeps): Promise<RoomView> {
  const limit = PRESENCE_POLICY.membersListed;
  const tally = await deps.connections.tally(room);
  if (tally.memberCount > limit && tally.listed.length > 0) return { members: tally.listed, memberCount: tally.memberCount };
  const members = await deps.connections.members(room, { limit });
  // A short read is the whole room; a full one is not, and the kept count says how many more.
  return { members, memberCount: members.length < limit ? members.length : Math.max(members.length, tally.memberCount) };
}

/** Leaves a room and tells the members left behind. @throws NotARoomMemberError */
export async function leaveRoom(connectionId: string, room: RoomName, deps: PublishDeps): Promise<void> {
  const member = await deps.connections.leave(room, connectionId);
  if (!member) throw new NotARoomMemberError(room);
  await announcePresence(room, { action: "left", member, at: deps.clock.now().toISOString() }, deps);
}

/** Sends a message to everyone in a room, the sender included. @throws NotARoomMemberError @throws RoomForbiddenError */
export async function sendRoomMessage(
  connection: Connection,
  room: RoomName,
  message: string,
  deps: PublishDeps,
): Promise<ServerEvent<RoomMessageData>> {
  if (!mayPost(connection.roles, room)) throw new RoomForbiddenError(room, "post");
  const members = await deps.connections.members(room);
  if (!members.some((m) => m.connectionId === connection.connectionId)) throw new NotARoomMemberError(room);
  const from = { sub: connection.sub, username: connection.username, connectionId: connection.connectionId };
  return (await publish<RoomMessageData>("room_message", { room, from, message }, deps, idsOf(members))).event;
}
