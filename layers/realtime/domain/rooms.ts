import type { RoomName } from "#kernel/bus/room-message";
import type { Connection } from "./ports";
import type { PresenceData, RoomMember, RoomMessageData, ServerEvent } from "../published/protocol";
import { CONNECTION_LIMITS, mayJoin, mayPost, ruleOf } from "../published/room-rules";
import { idsOf, type PublishDeps, publish } from "./publishing";

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
 * Joins a room and tells its members; answers who is in it now. Joining twice is a no-op.
 * @throws RoomForbiddenError when the room's rule does not admit the connection's roles
 * @throws RoomLimitError past `CONNECTION_LIMITS.roomsPerConnection`
 */
export async function joinRoom(connection: Connection, room: RoomName, deps: PublishDeps): Promise<RoomMember[]> {
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
  const members = await deps.connections.members(room);
  if (added) await publish<PresenceData>("presence", { room, action: "joined", member, members }, deps, idsOf(members));
  return members;
}

/** Leaves a room and tells the members left behind. @throws NotARoomMemberError */
export async function leaveRoom(connectionId: string, room: RoomName, deps: PublishDeps): Promise<void> {
  const members = await deps.connections.members(room);
  const member = members.find((m) => m.connectionId === connectionId);
  if (!member || !(await deps.connections.leave(room, connectionId))) throw new NotARoomMemberError(room);
  const rest = members.filter((m) => m.connectionId !== connectionId);
  await publish<PresenceData>("presence", { room, action: "left", member, members: rest }, deps, idsOf(rest));
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
