import type { DomainEvent, EventPublisher } from "#kernel/bus/domain-event";
import { EVENT_SOURCES } from "#kernel/bus/domain-event";
import { SYSTEM_ALERT, type SystemAlert } from "#kernel/bus/system-alert";
import type { TaskStatsStore, TaskStore, TaskVersionRef, TimerQueue, WorkQueue } from "./ports";
import type { Task } from "./task";
import { dispatchFor } from "./task-events";
import { IllegalTransitionError, planTransition, type RetryPolicy } from "./task-state-machine";
import { checkTimer, type TaskTimer, timersFor } from "./task-timers";

/** Where the sweeper looks for tasks that may be stranded. Both answer oldest first. */
export interface StrandedTaskFinder {
  /** Queued tasks that entered the queue before `before` (and not before `from`), at most `limit`. */
  queuedBefore(before: string, limit: number, from?: string): Promise<QueuedCandidate[]>;
  /** Ids of tasks in `status`, at most `limit`. */
  inStatus(status: "running" | "timed_out", limit: number): Promise<string[]>;
}

/** A queued task as the queued index has it. */
export interface QueuedCandidate {
  readonly taskId: string;
  readonly queuedSince: string;
}

/** Which queued versions the sweeper has already sent again, so a version is re-dispatched once. */
export interface SweepLedger {
  swept(change: TaskVersionRef): Promise<boolean>;
  /** Records that a version was re-dispatched. */
  markSwept(change: TaskVersionRef): Promise<void>;
  /**
   * Where the last run's queued pass stopped: the next run goes on from there, so tasks that
   * wait legitimately at the head of the queues cannot keep later ones from being looked at.
   */
  queuedCursor(): Promise<string | undefined>;
  saveQueuedCursor(at: string | undefined): Promise<void>;
}

/** How hard the sweeper looks and how long it waits before calling a task stranded. */
export interface SweepSettings {
  readonly policy: RetryPolicy;
  /** Past its lease (or, timed out, past its last write) by this long, a task is the sweeper's. */
  readonly leaseGraceSeconds: number;
  /** A queued task not relayed this long after it became available is re-dispatched. */
  readonly strandedAfterSeconds: number;
  /** Tasks read per run, across all passes: the run's bounded work. */
  readonly maxTasksPerRun: number;
}

export interface SweepPorts {
  readonly store: TaskStore;
  readonly finder: StrandedTaskFinder;
  /** The counters' applied markers: a version whose delta was applied was relayed in full. */
  readonly relayed: Pick<TaskStatsStore, "applied">;
  readonly ledger: SweepLedger;
  readonly queue: WorkQueue;
  readonly timers: TimerQueue;
  readonly publisher: EventPublisher;
  readonly settings: SweepSettings;
}

/** What one run did, by task id. */
export interface SweepReport {
  /** Queued, never relayed: its work message and expiry timer sent again. */
  readonly redispatched: string[];
  /** Running past its lease (or timeout) and grace: timed out. */
  readonly timedOut: string[];
  /** Timed out and never recovered: retried or dead-lettered. */
  readonly recovered: string[];
  /** Queued past its expiry: expired. */
  readonly expired: string[];
  /** Tasks read this run. */
  readonly examined: number;
  /** Tasks the sweeper could not act on this run, with why; the run still went on to the others. */
  readonly failures: { readonly taskId: string; readonly error: unknown }[];
}

const seconds = (n: number) => n * 1_000;
const later = (a: string, b: string | undefined) => (b && b > a ? b : a);

/**
 * One run of the sweeper (ADR 0017), the backstop under the outbox and the timers: it finds the
 * tasks those should have moved and did not, and moves them.
 *
 *  - queued, available for `strandedAfterSeconds`, and its version never relayed (no applied
 *    marker: the stream record ran out of retries, or the relay was off): the work message and
 *    the expiry timer are sent again, once per version; past its expiry it is expired instead.
 *  - running, past its lease (or its timeout) by the grace: timed out (the lease timer was lost).
 *  - timed out for longer than the grace: retried or dead-lettered (the recover timer was lost).
 *
 * Idempotent: every transition is the same conditional write the timers make, so a task that
 * moved meanwhile is left alone, and a re-dispatch is recorded per version (a duplicate message
 * would be harmless anyway: a claim is conditional on the attempt). Bounded: it reads at most
 * `maxTasksPerRun` tasks, oldest first, and leaves the rest to the next run (queued tasks from
 * where the last run stopped).
 *
 *   relay ✗ (24 h of retries)         sweeper: no marker for v1 → send message + expiry timer
 *   submit ──┬────────────── strandedAfter ───────┤ agent claims ─ …
 *
 * @example
 * const report = await sweepStrandedTasks(ports, new Date()); // → { redispatched: ["t-1"], … }
 */
export async function sweepStrandedTasks(ports: SweepPorts, now: Date): Promise<SweepReport> {
  const { settings } = ports;
  const report = {
    redispatched: [] as string[],
    timedOut: [] as string[],
    recovered: [] as string[],
    expired: [] as string[],
    failures: [] as { taskId: string; error: unknown }[],
  };
  let budget = settings.maxTasksPerRun;
  const take = async (ids: Promise<string[]>) => {
    const chosen = (await ids).slice(0, Math.max(0, budget));
    budget -= chosen.length;
    return chosen;
  };
  const each = async (ids: string[], act: (task: Task) => Promise<void>) => {
    for (const taskId of ids) {
      try {
        const task = await ports.store.get(taskId);
        if (task) await act(task);
      } catch (error) {
        // A task that moved between the read and the write is not a failure: it is not stranded.
        if (!(error instanceof IllegalTransitionError)) report.failures.push({ taskId, error });
      }
    }
  };
  const transition = async (task: Task, timer: TaskTimer, at: Date, into: string[]) => {
    const outcome = checkTimer(task, timer, at, settings.leaseGraceSeconds);
    if (outcome.kind !== "transition") return;
    await ports.store.apply(task.taskId, planTransition(outcome.event, { now, policy: settings.policy }));
    into.push(task.taskId);
  };

  // Running: judged as of `now − grace`, so a lease counts as lapsed only once lease + grace has passed.
  const graceAgo = new Date(now.getTime() - seconds(settings.leaseGraceSeconds));
  await each(await take(ports.finder.inStatus("running", budget)), (task) =>
    transition(task, timerFor(task, "lease", now), graceAgo, report.timedOut),
  );
  await each(await take(ports.finder.inStatus("timed_out", budget)), async (task) => {
    if (Date.parse(task.updatedAt) + seconds(settings.leaseGraceSeconds) > now.getTime()) return;
    await transition(task, timerFor(task, "recover", now), now, report.recovered);
  });

  const strandedBefore = new Date(now.getTime() - seconds(settings.strandedAfterSeconds)).toISOString();
  const asked = Math.max(0, budget);
  const candidates = asked === 0 ? [] : await ports.finder.queuedBefore(strandedBefore, asked, await ports.ledger.queuedCursor());
  // A full page: go on after it next run; a short one reached the end: start over next run.
  if (asked > 0) await ports.ledger.saveQueuedCursor(candidates.length < asked ? undefined : candidates.at(-1)?.queuedSince);
  await each(await take(Promise.resolve(candidates.map((c) => c.taskId))), async (task) => {
    if (task.status !== "queued") return;
    if (task.expiresAt && task.expiresAt <= now.toISOString()) {
      await transition(task, timerFor(task, "expiry", now), now, report.expired);
      return;
    }
    if (later(task.queuedAt, task.availableAt) > strandedBefore) return;
    const version = { taskId: task.taskId, version: task.version };
    if ((await ports.relayed.applied(version)) || (await ports.ledger.swept(version))) return;
    const dispatch = dispatchFor(undefined, task, now);
    if (dispatch) await ports.queue.send(dispatch.message, { delaySeconds: dispatch.delaySeconds });
    for (const timer of timersFor(undefined, task)) await ports.timers.schedule(timer, now);
    await ports.ledger.markSwept(version);
    report.redispatched.push(task.taskId);
  });

  const examined = settings.maxTasksPerRun - budget;
  const alert = sweepAlert(report, now);
  if (alert) await ports.publisher.publish([alert]);
  return { ...report, examined };
}

const timerFor = (task: Task, check: TaskTimer["check"], now: Date): TaskTimer => ({
  taskId: task.taskId,
  attempt: task.attempt,
  check,
  dueAt: now.toISOString(),
});

/** One alert per run that recovered anything: each recovery means the outbox or a timer lost something. */
export function sweepAlert(report: Omit<SweepReport, "examined">, now: Date): DomainEvent<SystemAlert> | undefined {
  const counts = {
    redispatched: report.redispatched.length,
    timedOut: report.timedOut.length,
    recovered: report.recovered.length,
    expired: report.expired.length,
  };
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const ids = [...report.redispatched, ...report.timedOut, ...report.recovered, ...report.expired];
  return {
    source: EVENT_SOURCES.tasks,
    detailType: SYSTEM_ALERT,
    detail: {
      severity: "warning",
      source: "tasks",
      title: `Sweeper recovered ${total} stranded task${total === 1 ? "" : "s"}`,
      message:
        `re-dispatched ${counts.redispatched} queued task(s) the outbox never relayed, timed out ${counts.timedOut} ` +
        `running task(s) past their lease, recovered ${counts.recovered} timed-out task(s) and expired ` +
        `${counts.expired}: look for relay failures (RelayFailures) and the timers DLQ`,
      resource: {
        redispatched: String(counts.redispatched),
        timedOut: String(counts.timedOut),
        recovered: String(counts.recovered),
        expired: String(counts.expired),
        taskIds: ids.slice(0, 20).join(","),
      },
      raisedAt: now.toISOString(),
    },
  };
}
