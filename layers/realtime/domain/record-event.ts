import type { Clock } from "#shared/clock";
import type { EventHistory, SequenceSource } from "./ports";
import { isRoomEventType, type ServerEvent, type ServerEventType, type Stream, TOPIC_OF } from "../published/protocol";
import { RoomName } from "#kernel/bus/room-message";

/**
 * The stream an event belongs to: its type's topic, or for room events the room in `data.room`.
 * @throws ZodError when a room event names no valid room.
 */
export function streamOf(type: ServerEventType, data: unknown): Stream {
  if (isRoomEventType(type)) return { room: RoomName.parse((data as { room?: unknown } | null)?.room) };
  return { topic: TOPIC_OF[type] };
}

/**
 * Gives an event its place in the stream — the next `seq` and a timestamp — and appends it
 * to its stream's history, so clients can replay it later. Callers make this idempotent per
 * source event, so a redelivered event keeps its first `seq` instead of taking a second one.
 */
export async function recordEvent<D>(
  type: ServerEventType,
  data: D,
  deps: { sequence: SequenceSource; history: EventHistory; clock: Clock },
): Promise<ServerEvent<D>> {
  const stream = streamOf(type, data);
  const event: ServerEvent<D> = { type, seq: await deps.sequence.next(), timestamp: deps.clock.now().toISOString(), data };
  await deps.history.append(stream, event);
  return event;
}
