import type { Clock } from "#shared/clock";
import { type BroadcastDeps, type BroadcastReport, broadcast } from "./broadcast";
import type { RoomName } from "#kernel/bus/room-message";
import type { DeliveryStats, EventHistory, PendingPresence, PresenceScheduler, RoomView, SequenceSource } from "./ports";
import type { PresenceChange, PresenceChangeData, RoomMember, ServerEvent, ServerEventType } from "../published/protocol";
import { PRESENCE_POLICY, summaryDelayFor } from "../published/room-rules";
import { recordEvent } from "./record-event";

/** Everything publishing needs: recording (seq + history) and delivery. */
export interface PublishDeps extends Omit<BroadcastDeps, "onGone"> {
  readonly sequence: SequenceSource;
  readonly history: EventHistory;
  readonly clock: Clock;
  readonly stats: DeliveryStats;
  /** Where large rooms' presence waits for its summary (ADR 0022). */
  readonly presence: { readonly pending: PendingPresence; readonly scheduler: PresenceScheduler };
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
 * Tells a room of a change in who is in it. Up to `PRESENCE_POLICY.perChangeUpTo` members each
 * gets it now, with the member list; a larger room's change waits for the room's next summary,
 * which the first change since the last one schedules, `summaryDelayFor` the room's size later.
 * `roomNow` is what the caller has just read (all of a small room's members), so the room is not
 * read again; without it, the room's tally decides, and only a small room's members are read.
 */
export async function announcePresence(
  room: RoomName,
  change: PresenceChange,
  deps: PublishDeps,
  roomNow?: RoomView,
): Promise<void> {
  const now = roomNow ?? (await smallRoomNow(room, deps));
  if (now.memberCount <= PRESENCE_POLICY.perChangeUpTo) {
    const data: PresenceChangeData = { room, action: change.action, member: change.member, members: now.members };
    await publish("presence", data, deps, idsOf(now.members));
    return;
  }
  // A due mark older than a few of the longest intervals belongs to a schedule that never arrived.
  const staleAfterSeconds = PRESENCE_POLICY.maxSummaryDelaySeconds * 3;
  if (await deps.presence.pending.add(room, change, staleAfterSeconds)) {
    await deps.presence.scheduler.schedule(room, summaryDelayFor(now.memberCount));
  }
}

/** A room's members if it is small enough to be told change by change; past that, only its count. */
async function smallRoomNow(room: RoomName, deps: PublishDeps): Promise<RoomView> {
  const { memberCount } = await deps.connections.tally(room);
  if (memberCount > PRESENCE_POLICY.perChangeUpTo) return { members: [], memberCount };
  // Read one past the per-change size: the count is kept, the members decide.
  const members = await deps.connections.members(room, { limit: PRESENCE_POLICY.perChangeUpTo + 1 });
  return { members, memberCount: members.length };
}

/**
 * Forgets a connection and tells each of its rooms: `left` for a clean close, `dropped` for a
 * connection that vanished. Only the caller that actually removed it announces, so a drop
 * found by two broadcasts at once is announced once.
 */
export async function dropConnection(connectionId: string, action: "left" | "dropped", deps: PublishDeps): Promise<void> {
  const memberships = await deps.connections.remove(connectionId);
  const at = deps.clock.now().toISOString();
  for (const { room, member } of memberships ?? []) await announcePresence(room, { action, member, at }, deps);
}
