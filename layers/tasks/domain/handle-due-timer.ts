import type { TaskStore, TimerQueue } from "./ports";
import { IllegalTransitionError, planTransition, type RetryPolicy, type TaskEventKind } from "./task-state-machine";
import { checkTimer, type TaskTimer } from "./task-timers";
import type { TaskStatus } from "#kernel/task-vocabulary";

/**
 * SQS delays in whole seconds, so a timer may arrive up to a second before its `dueAt`; one that
 * arrives earlier than that was sent early on purpose (its check is more than 15 minutes out).
 */
export const EARLY_ARRIVAL_TOLERANCE_MS = 1_000;

export interface TimerPorts {
  readonly store: TaskStore;
  readonly timers: TimerQueue;
  readonly policy: RetryPolicy;
  /** Extra time past `timeoutSeconds` before a heartbeating attempt is timed out anyway. */
  readonly leaseGraceSeconds: number;
}

/** What checking one timer did. */
export type TimerHandled =
  /** Not due yet (SQS's 15-minute delay limit, or a renewed lease): sent on to check again then. */
  | { readonly kind: "sent_on"; readonly dueAt: string }
  /** Nothing to do: the task moved on, or moved on while the timer acted. */
  | { readonly kind: "moot"; readonly why: string }
  /** The task changed: timed out, recovered (retried or dead-lettered) or expired. */
  | { readonly kind: "acted"; readonly event: TaskEventKind; readonly status: TaskStatus; readonly attempt: number };

/**
 * One timer from the timers queue, when it arrives (ADR 0006): time out an attempt whose claim
 * lapsed (its agent died or hung) or that ran far past its timeout, retry or dead-letter an
 * attempt that timed out, expire a task that waited too long in the queue. A timer that finds
 * the task moved on does nothing; one that is not due yet is sent on again. The transition is
 * conditional, so a task that moved on between the read and the write is left as it is.
 *
 * @example
 * await handleDueTimer({ taskId, attempt: 1, check: "lease", dueAt }, ports, new Date()); // → { kind: "acted", event: "time_out", … }
 */
export async function handleDueTimer(timer: TaskTimer, ports: TimerPorts, now: Date): Promise<TimerHandled> {
  if (Date.parse(timer.dueAt) > now.getTime() + EARLY_ARRIVAL_TOLERANCE_MS) {
    await ports.timers.schedule(timer, now);
    return { kind: "sent_on", dueAt: timer.dueAt };
  }
  const outcome = checkTimer(await ports.store.get(timer.taskId), timer, now, ports.leaseGraceSeconds);
  switch (outcome.kind) {
    case "nothing":
      return { kind: "moot", why: outcome.why };
    case "later":
      await ports.timers.schedule(outcome.timer, now);
      return { kind: "sent_on", dueAt: outcome.timer.dueAt };
    case "transition":
      try {
        const task = await ports.store.apply(timer.taskId, planTransition(outcome.event, { now, policy: ports.policy }));
        return { kind: "acted", event: outcome.event.kind, status: task.status, attempt: task.attempt };
      } catch (error) {
        if (!(error instanceof IllegalTransitionError)) throw error;
        return { kind: "moot", why: `the task moved on meanwhile: ${error.message}` };
      }
  }
}
