import type { Clock } from "#core/shared/clock";
import type { EventHistory, SequenceSource } from "./ports";
import { type ServerEvent, type ServerEventType, TOPIC_OF } from "./protocol";

/**
 * Gives an event its place in the stream — the next `seq` and a timestamp — and appends it
 * to the topic's history, so clients can replay it later. Callers make this idempotent per
 * source event, so a redelivered event keeps its first `seq` instead of taking a second one.
 */
export async function recordEvent<D>(
  type: ServerEventType,
  data: D,
  deps: { sequence: SequenceSource; history: EventHistory; clock: Clock },
): Promise<ServerEvent<D>> {
  const event: ServerEvent<D> = { type, seq: await deps.sequence.next(), timestamp: deps.clock.now().toISOString(), data };
  await deps.history.append(TOPIC_OF[type], event);
  return event;
}
