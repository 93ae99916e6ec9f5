import type { DomainEvent } from "#kernel/bus/domain-event";
import type { StatsDelta, TaskStatsStore } from "./ports";
import type { TaskChange } from "./relay-task-change";
import { dispatchFor, systemAlertFor, taskUpdatedEvent } from "./task-events";
import { statsDelta } from "./task-stats";
import { type TaskTimer, timersFor } from "./task-timers";
import type { WorkMessage } from "./work-message";

/** One item of a batch call, named so that a refusal can be traced back to it. */
export interface BatchEntry<T> {
  /** Unique within the call; the relay uses `<record>:<step>:<n>`. */
  readonly id: string;
  readonly item: T;
}

/** An entry the service refused (or a call that failed, for each of its entries), with why. */
export interface EntryFailure {
  readonly id: string;
  readonly cause: unknown;
}

/** Work to send: a message, delayed until its task may start. */
export interface Dispatch {
  readonly message: WorkMessage;
  readonly delaySeconds: number;
}

/** The work queues, many messages per call (SendMessageBatch). */
export interface BatchWorkQueue {
  /** Sends every entry; answers the ones that were not sent. Never throws for a refusal. */
  sendEach(entries: readonly BatchEntry<Dispatch>[]): Promise<EntryFailure[]>;
}

/** The timers queue, many timers per call. */
export interface BatchTimerQueue {
  scheduleEach(entries: readonly BatchEntry<TaskTimer>[], now: Date): Promise<EntryFailure[]>;
}

/** The bus, many events per call (PutEvents). */
export interface BatchEventPublisher {
  publishEach(entries: readonly BatchEntry<DomainEvent>[]): Promise<EntryFailure[]>;
}

/**
 * What this relay already sent for records it had to give back: when a batch fails part way,
 * the stream hands back the failed record and every one after it, and this is how their
 * accepted entries are not sent twice. Kept by the function instance, so it holds for the
 * retries the same instance takes (a shard has one invocation at a time); a retry on a fresh
 * instance may repeat a message or an event, which is harmless (ADR 0004) — never a counter.
 */
export interface SentLedger {
  has(key: string): boolean;
  add(key: string): void;
}

/** Where the batched outbox sends what a batch of changes implies. */
export interface RelayBatchPorts {
  readonly queue: BatchWorkQueue;
  readonly timers: BatchTimerQueue;
  readonly publisher: BatchEventPublisher;
  readonly stats: Pick<TaskStatsStore, "apply">;
  readonly sent: SentLedger;
}

/** One stream record to relay: its id (what the stream retries from) and its change, or why it could not be read. */
export type RelayRecord =
  { readonly id: string; readonly change: TaskChange } | { readonly id: string; readonly unreadable: unknown };

/** A record that was not relayed, and why: its own refusal, or an earlier record's. */
export interface RecordFailure {
  readonly id: string;
  readonly causes: readonly unknown[];
}

/** What relaying a batch did. */
export interface RelayBatchOutcome {
  /** The first record that failed and every record after it, in stream order: what the stream must hand back. */
  readonly failed: RecordFailure[];
  readonly dispatched: number;
  readonly timers: number;
  readonly events: number;
  readonly calls: { readonly sends: number; readonly timers: number; readonly events: number };
}

interface Plan {
  readonly id: string;
  readonly dispatch?: Dispatch;
  readonly timers: TaskTimer[];
  readonly events: DomainEvent[];
  readonly delta?: StatsDelta;
}

const planOf = (id: string, { previous, current }: TaskChange, now: Date): Plan => {
  if (!current) return { id, timers: [], events: [] };
  const dispatch = dispatchFor(previous, current, now);
  const events: DomainEvent[] = [];
  const updated = taskUpdatedEvent(previous, current);
  if (updated) events.push(updated);
  const alert = systemAlertFor(previous, current);
  if (alert) events.push(alert);
  const delta = statsDelta(previous, current);
  return {
    id,
    ...(dispatch ? { dispatch: { message: dispatch.message, delaySeconds: dispatch.delaySeconds } } : {}),
    timers: timersFor(previous, current),
    events,
    ...(delta ? { delta } : {}),
  };
};

/**
 * The outbox of the tasks table (ADR 0004, batched per ADR 0018): a batch of stored changes
 * turned into what they imply, one step at a time over the whole batch — every work message
 * (SendMessageBatch), then every timer, then every event (PutEvents), then the counters — so
 * each hop costs one call per ten entries instead of one per entry.
 *
 * Stream order holds as it did record by record: a record's later steps run only if its
 * earlier ones were sent, and once a record fails no record after it goes further (their
 * counters are never added), so the stream retries from the first failure. Entries already
 * accepted are noted in the `sent` ledger and skipped on that retry: a refused entry is the
 * only one sent again.
 *
 *   batch   r1 ✓✓✓✓   r2 send ✗   r3 send ✓ (noted)   → failed: r2, r3
 *   retry             r2 ✓✓✓✓     r3 send skipped ✓✓✓ → failed: none
 *
 * @example
 * const { failed } = await relayBatch([{ id: "seq-1", change: { current: task } }], ports, new Date());
 */
export async function relayBatch(records: readonly RelayRecord[], ports: RelayBatchPorts, now: Date): Promise<RelayBatchOutcome> {
  const plans: Plan[] = [];
  const causes = new Map<string, unknown[]>();
  const fail = (id: string, cause: unknown) => causes.set(id, [...(causes.get(id) ?? []), cause]);
  for (const record of records) {
    if ("unreadable" in record) {
      fail(record.id, record.unreadable);
      break;
    }
    try {
      plans.push(planOf(record.id, record.change, now));
    } catch (error) {
      fail(record.id, error);
      break;
    }
  }
  // Records before the first failure may go on to the next step; the rest wait for the retry.
  let cutoff = plans.length;
  const live = () => plans.slice(0, cutoff);
  const calls = { sends: 0, timers: 0, events: 0 };

  const step = async <T>(
    name: string,
    itemsOf: (plan: Plan) => readonly T[],
    send: (entries: BatchEntry<T>[]) => Promise<EntryFailure[]>,
  ): Promise<number> => {
    const entries = live().flatMap((plan) =>
      itemsOf(plan).map((item, n) => ({ id: `${plan.id}:${name}:${n}`, record: plan.id, item })),
    );
    const due = entries.filter((entry) => !ports.sent.has(entry.id));
    if (due.length === 0) return 0;
    const failures = await send(due.map(({ id, item }) => ({ id, item })));
    const refused = new Map(failures.map((failure) => [failure.id, failure.cause]));
    for (const entry of due) {
      if (refused.has(entry.id)) fail(entry.record, refused.get(entry.id));
      else ports.sent.add(entry.id);
    }
    const firstFailed = live().findIndex((plan) => causes.has(plan.id));
    if (firstFailed >= 0) cutoff = firstFailed;
    return due.length - refused.size;
  };

  const dispatched = await step(
    "send",
    (plan) => (plan.dispatch ? [plan.dispatch] : []),
    (entries) => {
      calls.sends++;
      return ports.queue.sendEach(entries);
    },
  );
  const timers = await step(
    "timer",
    (plan) => plan.timers,
    (entries) => {
      calls.timers++;
      return ports.timers.scheduleEach(entries, now);
    },
  );
  const events = await step(
    "event",
    (plan) => plan.events,
    (entries) => {
      calls.events++;
      return ports.publisher.publishEach(entries);
    },
  );
  // Counters last, and only for records whose every message and event went out.
  for (const plan of live()) {
    if (!plan.delta) continue;
    try {
      await ports.stats.apply(plan.delta);
    } catch (error) {
      fail(plan.id, error);
      cutoff = live().indexOf(plan);
      break;
    }
  }

  const failed: RecordFailure[] = [];
  const firstFailed = records.findIndex((record) => causes.has(record.id));
  if (firstFailed >= 0) {
    const culprit = records[firstFailed]?.id as string;
    for (const record of records.slice(firstFailed)) {
      failed.push({
        id: record.id,
        causes: causes.get(record.id) ?? [new EarlierRecordFailedError(culprit)],
      });
    }
  }
  return { failed, dispatched, timers, events, calls };
}

/** A record was not relayed because one before it in the same batch failed. */
export class EarlierRecordFailedError extends Error {
  constructor(readonly culprit: string) {
    super(`record ${culprit}, earlier in this batch, failed; retrying from it, in order`);
    this.name = "EarlierRecordFailedError";
  }
}
