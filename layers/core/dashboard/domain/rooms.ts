import type { Clock } from "#core/shared/clock";
import { type BroadcastDeps, type BroadcastReport, broadcast } from "./broadcast";
import type { Connection, EventHistory, SequenceSource } from "./ports";
import type { PresenceData, RoomMember, RoomMessageData, RoomName, ServerEvent, ServerEventType } from "./protocol";
import { recordEvent } from "./record-event";

/** Everything publishing needs: recording (seq + history) and delivery. */
export interface PublishDeps extends Omit<BroadcastDeps, "onGone"> {
  readonly sequence: SequenceSource;
  readonly history: EventHistory;
  readonly clock: Clock;
}

/**
 * Records an event and delivers it to its stream. A connection found gone on the way is
 * dropped with a `presence` event in each of its rooms, so abrupt drops show up in rooms too.
 */
export async function publish<D>(
  type: ServerEventType,
  data: D,
  deps: PublishDeps,
  recipients?: readonly string[],
): Promise<{ event: ServerEvent<D>; report: BroadcastReport }> {
  const event = await recordEvent(type, data, deps);
  return { event, report: await deliver(event, deps, recipients) };
}

/** Delivers an already recorded event, dropping connections found gone (with their presence). */
export const deliver = (event: ServerEvent, deps: PublishDeps, recipients?: readonly string[]): Promise<BroadcastReport> =>
  broadcast(event, { ...deps, onGone: (connectionId) => dropConnection(connectionId, "dropped", deps) }, recipients);

const idsOf = (members: readonly RoomMember[]) => members.map((member) => member.connectionId);

export class NotARoomMemberError extends Error {
  constructor(readonly room: RoomName) {
    super(`this connection is not in room "${room}"; send join_room first`);
  }
}

/** Joins a room and tells its members; answers who is in it now. Joining twice is a no-op. */
export async function joinRoom(connection: Connection, room: RoomName, deps: PublishDeps): Promise<RoomMember[]> {
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

/** Sends a message to everyone in a room, the sender included. @throws NotARoomMemberError */
export async function sendRoomMessage(
  connection: Connection,
  room: RoomName,
  message: string,
  deps: PublishDeps,
): Promise<ServerEvent<RoomMessageData>> {
  const members = await deps.connections.members(room);
  if (!members.some((m) => m.connectionId === connection.connectionId)) throw new NotARoomMemberError(room);
  const from = { sub: connection.sub, username: connection.username, connectionId: connection.connectionId };
  return (await publish<RoomMessageData>("room_message", { room, from, message }, deps, idsOf(members))).event;
}

/**
 * Forgets a connection and tells each of its rooms: `left` for a clean close, `dropped` for a
 * connection that vanished. Only the caller that actually removed it announces, so a drop
 * found by two broadcasts at once is announced once.
 */
export async function dropConnection(connectionId: string, action: "left" | "dropped", deps: PublishDeps): Promise<void> {
  const rooms = await deps.connections.roomsOf(connectionId);
  const before = await Promise.all(rooms.map(async (room) => ({ room, members: await deps.connections.members(room) })));
  if (!(await deps.connections.remove(connectionId))) return;
  for (const { room, members } of before) {
    const member = members.find((m) => m.connectionId === connectionId);
    if (!member) continue;
    const rest = members.filter((m) => m.connectionId !== connectionId);
    await publish<PresenceData>("presence", { room, action, member, members: rest }, deps, idsOf(rest));
  }
}
