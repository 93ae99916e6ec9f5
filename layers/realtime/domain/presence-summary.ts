import type { RoomName } from "#kernel/bus/room-message";
import type { PresenceAction, PresenceSummaryData } from "../published/protocol";
import { PRESENCE_POLICY } from "../published/room-rules";
import { idsOf, type PublishDeps, publish } from "./publishing";

/**
 * Sends a large room's presence summary (ADR 0022): the changes waiting since the last one,
 * counted and the newest named, to everyone in the room now. The due mark is cleared before
 * the changes are read, so a change kept after the read schedules the next summary. Changes
 * are forgotten only once the summary is out: a summary interrupted between the two is sent
 * again when its message comes back (at least once); a second delivery of one that finished
 * finds nothing waiting and sends nothing. Having read every member, it keeps the first of them
 * for later joins to list and corrects the room's kept count if it drifted.
 */
export async function summarizePresence(room: RoomName, deps: PublishDeps): Promise<{ readonly announced: number }> {
  await deps.presence.pending.clearDue(room);
  const waiting = await deps.presence.pending.waiting(room, PRESENCE_POLICY.changesPerSummary);
  if (waiting.length === 0) return { announced: 0 };
  // The tally before the members: a change between the two leaves the kept count as it is.
  const tally = await deps.connections.tally(room);
  const members = await deps.connections.members(room);
  const counts: Record<PresenceAction, number> = { joined: 0, left: 0, dropped: 0 };
  for (const { change } of waiting) counts[change.action] += 1;
  const data: PresenceSummaryData = {
    room,
    action: "summary",
    memberCount: members.length,
    counts,
    changes: waiting.slice(-PRESENCE_POLICY.changesNamed).map(({ change }) => change),
  };
  await publish("presence", data, deps, idsOf(members));
  await deps.presence.pending.settle(
    room,
    waiting.map(({ key }) => key),
  );
  // Every member was just read: what later joins list, and the count if it drifted (ADR 0025).
  await deps.connections.recount(
    room,
    { members: members.slice(0, PRESENCE_POLICY.membersListed), memberCount: members.length },
    tally,
  );
  // More were waiting than one summary reads: the rest go out next, without waiting for a change.
  if (waiting.length === PRESENCE_POLICY.changesPerSummary) await deps.presence.scheduler.schedule(room, 0);
  return { announced: waiting.length };
}
