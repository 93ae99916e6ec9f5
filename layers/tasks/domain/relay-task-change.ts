import type { DomainEvent, EventPublisher } from "#kernel/bus/domain-event";
import type { TaskStatsStore, TimerQueue, WorkQueue } from "./ports";
import type { Task } from "./task";
import { dispatchFor, systemAlertFor, taskUpdatedEvent } from "./task-events";
import { statsDelta } from "./task-stats";
import { timersFor } from "./task-timers";

/** One stored change of a task, as the table's stream reports it. */
export interface TaskChange {
  /** Absent for a new task. */
  readonly previous?: Task;
  /** Absent when the row was deleted. */
  readonly current?: Task;
}

/** Where the outbox sends what a change implies. */
export interface RelayPorts {
  readonly queue: WorkQueue;
  readonly timers: TimerQueue;
  readonly publisher: EventPublisher;
  readonly stats: Pick<TaskStatsStore, "apply">;
}

/** What relaying one change did, for the handler's metrics. */
export interface RelayOutcome {
  readonly dispatched: boolean;
  readonly timers: number;
  readonly events: number;
  readonly counted: boolean;
}

const NOTHING: RelayOutcome = { dispatched: false, timers: 0, events: 0, counted: false };

/**
 * The outbox of the tasks table (ADR 0004): a stored change turned into what it implies — a
 * work message when a task enters `queued` (delayed until a retry may start), the timers that
 * watch it (lease, recovery, expiry), a `TaskUpdated` event when its status changes (and a
 * `SystemAlert` when it is dead-lettered), and the counters behind the views. Because these
 * follow from the write itself, no change is stored without being acted on.
 *
 * Steps run in that order and the first failure stops the rest. Counters go last: a retried
 * change may repeat a message or an event (both are harmless to repeat), but its counters are
 * only added once everything before them was sent.
 *
 * @example
 * await relayTaskChange({ previous: undefined, current: task }, ports, new Date()); // → { dispatched: true, … }
 */
export async function relayTaskChange(change: TaskChange, ports: RelayPorts, now: Date): Promise<RelayOutcome> {
  const { previous, current } = change;
  if (!current) return NOTHING;
  const dispatch = dispatchFor(previous, current, now);
  if (dispatch) await ports.queue.send(dispatch.message, { delaySeconds: dispatch.delaySeconds });
  const timers = timersFor(previous, current);
  for (const timer of timers) await ports.timers.schedule(timer, now);
  const events: DomainEvent[] = [];
  const updated = taskUpdatedEvent(previous, current);
  if (updated) events.push(updated);
  const alert = systemAlertFor(previous, current);
  if (alert) events.push(alert);
  if (events.length > 0) await ports.publisher.publish(events);
  const delta = statsDelta(previous, current);
  if (delta) await ports.stats.apply(delta);
  return { dispatched: dispatch !== undefined, timers: timers.length, events: events.length, counted: delta !== undefined };
}

/** A record was not relayed because one before it in the same batch failed. */
export class EarlierRecordFailedError extends Error {
  constructor() {
    super("an earlier record of this batch failed; retrying from it, in order");
    this.name = "EarlierRecordFailedError";
  }
}

/**
 * Wraps the relay of one batch, which takes its records one at a time, in stream order: once a
 * record fails, every later record of the batch fails too, unprocessed, so the stream is
 * retried from the first failure and no change is announced before an earlier one. Make one
 * per batch: the failure it remembers is that batch's.
 *
 *   batch  r1 ✓   r2 ✗ (queue down)   r3 ✗ EarlierRecordFailedError   r4 ✗ …
 *   retry         r2 ✓                r3 ✓                            r4 ✓
 *
 * @example
 * const relay = inStreamOrder((record: DynamoDBRecord) => relayTaskChange(changeOf(record), ports, new Date()));
 */
export function inStreamOrder<T, R>(step: (record: T) => Promise<R>): (record: T) => Promise<R> {
  let earlierRecordFailed = false;
  return async (record) => {
    if (earlierRecordFailed) throw new EarlierRecordFailedError();
    try {
      return await step(record);
    } catch (error) {
      earlierRecordFailed = true;
      throw error;
    }
  };
}
