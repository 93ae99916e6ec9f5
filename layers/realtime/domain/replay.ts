import type { Clock } from "#shared/clock";
import { sendFrame } from "./broadcast";
import { MAX_FRAME_BYTES } from "./frames";
import type { ConnectionGateway, ConnectionStore, EventHistory, HistoryStart } from "./ports";
import {
  type ControlFrame,
  EVENT_TOPICS,
  REPLAY_LIMIT,
  type ReplayFrameData,
  type ReplayRequest,
  type ServerEvent,
  type Stream,
} from "../published/protocol";
import { NotARoomMemberError } from "./rooms";

export interface ReplayDeps {
  readonly connections: ConnectionStore;
  readonly history: EventHistory;
  readonly gateway: ConnectionGateway;
  readonly clock: Clock;
}

/** Room left in a replay frame for its envelope, so a full batch still fits one frame. */
const BATCH_BYTES = MAX_FRAME_BYTES - 1_024;

/**
 * The events a client missed, as `replay` frames sent to it in `seq` order: from its
 * subscriptions (or the topics it names) and its rooms (or those it names, each of which it
 * must be in), after `sinceSeq` or since `sinceTime`, at most REPLAY_LIMIT of them. Each event
 * appears once even when several subscriptions reach it.
 *
 * @throws NotARoomMemberError when it names a room it is not in
 */
export async function replay(connectionId: string, request: ReplayRequest, deps: ReplayDeps): Promise<ReplayFrameData> {
  const [held, rooms] = await Promise.all([deps.connections.topicsOf(connectionId), deps.connections.roomsOf(connectionId)]);
  const outsider = request.rooms?.find((room) => !rooms.includes(room));
  if (outsider) throw new NotARoomMemberError(outsider);

  const topics = request.topics ?? held;
  const streams: Stream[] = [
    ...(topics.includes("all") ? EVENT_TOPICS : topics.filter((t) => t !== "all")).map((topic) => ({ topic })),
    ...(request.rooms ?? rooms).map((room) => ({ room })),
  ];
  const start: HistoryStart =
    request.sinceSeq !== undefined ? { afterSeq: request.sinceSeq } : { since: new Date(request.sinceTime as string) };
  // One more than the limit per stream tells whether anything lies beyond what is returned.
  const perStream = await Promise.all(
    [...new Map(streams.map((s) => [JSON.stringify(s), s])).values()].map((s) => deps.history.read(s, start, REPLAY_LIMIT + 1)),
  );
  const bySeq = new Map<number, ServerEvent>();
  for (const event of perStream.flat()) bySeq.set(event.seq, event);
  const missed = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  const events = missed.slice(0, REPLAY_LIMIT);
  const truncated = missed.length > REPLAY_LIMIT;
  const throughSeq = events.at(-1)?.seq ?? request.sinceSeq ?? 0;

  const batches = batchBySize(events);
  const now = deps.clock.now();
  let data: ReplayFrameData = { events: [], last: true, truncated, throughSeq };
  for (const [index, batch] of batches.entries()) {
    data = { events: batch, last: index === batches.length - 1, truncated, throughSeq };
    const frame: ControlFrame<ReplayFrameData> = { type: "replay", timestamp: now.toISOString(), data };
    if ((await sendFrame(deps.gateway, connectionId, frame, now)) === "gone") break;
  }
  return { ...data, events };
}

/** Groups events into batches that each fit one frame; an event too big alone gets its own batch. */
function batchBySize(events: readonly ServerEvent[]): ServerEvent[][] {
  const batches: ServerEvent[][] = [[]];
  let size = 0;
  for (const event of events) {
    const bytes = Buffer.byteLength(JSON.stringify(event), "utf8") + 1;
    const current = batches.at(-1) as ServerEvent[];
    if (current.length > 0 && size + bytes > BATCH_BYTES) {
      batches.push([event]);
      size = bytes;
    } else {
      current.push(event);
      size += bytes;
    }
  }
  return batches;
}
