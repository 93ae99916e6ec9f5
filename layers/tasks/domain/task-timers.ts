import * as z from "zod";
import type { Task } from "./task";
import type { TaskEvent } from "./task-state-machine";

/**
 * A check due on a task at `dueAt`, carried by a delayed message on the timers queue:
 *  - lease:   is the running attempt still heartbeating, and within its timeout?
 *  - recover: retry or dead-letter an attempt that timed out.
 *  - expiry:  has the queued attempt waited past its expiry?
 */
export const TaskTimer = z
  .object({
    taskId: z.string().min(1),
    attempt: z.number().int().min(1),
    check: z.enum(["lease", "recover", "expiry"]),
    dueAt: z.iso.datetime(),
  })
  .strict();
export type TaskTimer = z.infer<typeof TaskTimer>;

/** Timers a stored change calls for; the relay sends them. */
export function timersFor(previous: Task | undefined, current: Task): TaskTimer[] {
  const entered = !previous || previous.status !== current.status || previous.attempt !== current.attempt;
  if (!entered) return [];
  const timer = (check: TaskTimer["check"], dueAt: string | undefined): TaskTimer[] =>
    dueAt ? [{ taskId: current.taskId, attempt: current.attempt, check, dueAt }] : [];
  switch (current.status) {
    case "running":
      return timer("lease", current.leaseExpiresAt);
    case "timed_out":
      return timer("recover", current.updatedAt);
    case "queued":
      return timer("expiry", current.expiresAt);
    default:
      return [];
  }
}

export type TimerOutcome =
  | { readonly kind: "nothing"; readonly why: string }
  | { readonly kind: "later"; readonly timer: TaskTimer }
  | { readonly kind: "transition"; readonly event: TaskEvent };

/**
 * What a due timer means for the task as it is now. A timer for another attempt, or for a
 * status the task has left, means nothing: the task moved on. A lease that was extended by
 * heartbeats, or an expiry not yet reached, is checked again later.
 *
 * @param graceSeconds extra time past `timeoutSeconds` before a heartbeating attempt is timed
 *   out anyway (the agent aborts it itself at `timeoutSeconds`; this is the backstop).
 */
export function checkTimer(task: Task | undefined, timer: TaskTimer, now: Date, graceSeconds: number): TimerOutcome {
  if (!task) return { kind: "nothing", why: "the task does not exist" };
  if (task.attempt !== timer.attempt) return { kind: "nothing", why: `the task is on attempt ${task.attempt}` };
  const at = now.toISOString();
  switch (timer.check) {
    case "lease": {
      if (task.status !== "running" || !task.leaseExpiresAt || !task.startedAt)
        return { kind: "nothing", why: `the task is ${task.status}` };
      if (task.leaseExpiresAt <= at)
        return { kind: "transition", event: { kind: "time_out", attempt: task.attempt, reason: "stopped sending heartbeats" } };
      const deadline = new Date(Date.parse(task.startedAt) + (task.timeoutSeconds + graceSeconds) * 1_000).toISOString();
      if (deadline <= at) {
        return {
          kind: "transition",
          event: { kind: "time_out", attempt: task.attempt, reason: `ran past its timeout of ${task.timeoutSeconds}s` },
        };
      }
      return { kind: "later", timer: { ...timer, dueAt: task.leaseExpiresAt < deadline ? task.leaseExpiresAt : deadline } };
    }
    case "recover":
      if (task.status !== "timed_out") return { kind: "nothing", why: `the task is ${task.status}` };
      return {
        kind: "transition",
        event: {
          kind: "recover",
          attempt: task.attempt,
          attemptsAllowed: task.attemptsAllowed,
          error: task.error ?? { message: `attempt ${task.attempt} timed out`, code: "TaskTimedOut", retryable: true },
        },
      };
    case "expiry":
      if (task.status !== "queued" || !task.expiresAt) return { kind: "nothing", why: `the task is ${task.status}` };
      if (task.expiresAt <= at) return { kind: "transition", event: { kind: "expire", attempt: task.attempt } };
      return { kind: "later", timer: { ...timer, dueAt: task.expiresAt } };
  }
}
