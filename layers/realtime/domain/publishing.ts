import type { Clock } from "#shared/clock";
import { type BroadcastDeps, type BroadcastReport, broadcast } from "./broadcast";
import type { DeliveryStats, EventHistory, SequenceSource } from "./ports";
import type { PresenceData, RoomMember, ServerEvent, ServerEventType } from "../published/protocol";
import { recordEvent } from "./record-event";

/** Everything publishing needs: recording (seq + history) and delivery. */
export interface PublishDeps extends Omit<BroadcastDeps, "onGone"> {
  readonly sequence: SequenceSource;
  readonly history: EventHistory;
  readonly clock: Clock;
  readonly stats: DeliveryStats;
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

/** Delivers an already recorded event, dropping connections found gone (with their presence), and counts the frames. */
export async function deliver(event: ServerEvent, deps: PublishDeps, recipients?: readonly string[]): Promise<BroadcastReport> {
  const report = await broadcast(
    event,
    { ...deps, onGone: (connectionId) => dropConnection(connectionId, "dropped", deps) },
    recipients,
  );
  await deps.stats.add(deps.clock.now(), { delivered: report.delivered, gone: report.gone, failed: report.failed.length });
  return report;
}

/** The connection ids of a room's members, as recipients of an event. */
export const idsOf = (members: readonly RoomMember[]) => members.map((member) => member.connectionId);

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
