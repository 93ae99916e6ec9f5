import type { Task } from "./task";
import type { JsonObject } from "#kernel/json";
import type { TaskError, TaskStatus } from "#kernel/task-vocabulary";

/**
 * The task life cycle. Each event names the statuses it may leave and the statuses it may lead
 * to; anything else is an illegal transition and is refused, never applied.
 *
 *                 ┌──────────── cancel ────────────┐
 *   queued ──claim──▶ running ──complete──▶ completed
 *     ▲  │             │  ▲ heartbeat
 *     │  └─expire─▶ expired
 *     │                ├──fail (not retryable)──▶ failed
 *     ├──fail (retry)──┤
 *     │                ├──fail (no attempts left)──▶ dead_lettered ──redrive──▶ queued
 *     │                └──time_out──▶ timed_out ──recover──▶ queued | dead_lettered
 *     └──────────────────────────────────────────────────────────────┘
 */
export const TRANSITIONS = {
  claim: { from: ["queued"], to: ["running"] },
  heartbeat: { from: ["running"], to: ["running"] },
  complete: { from: ["running"], to: ["completed"] },
  fail: { from: ["running"], to: ["failed", "queued", "dead_lettered"] },
  time_out: { from: ["running"], to: ["timed_out"] },
  recover: { from: ["timed_out"], to: ["queued", "dead_lettered"] },
  cancel: { from: ["queued", "running"], to: ["cancelled"] },
  expire: { from: ["queued"], to: ["expired"] },
  dead_letter: { from: ["queued", "running"], to: ["dead_lettered"] },
  redrive: { from: ["dead_lettered"], to: ["queued"] },
} as const satisfies Record<string, { from: readonly TaskStatus[]; to: readonly TaskStatus[] }>;

export type TaskEventKind = keyof typeof TRANSITIONS;

export type TaskEvent =
  | { kind: "claim"; agentId: string; attempt: number; leaseSeconds: number }
  | { kind: "heartbeat"; agentId: string; attempt: number; leaseSeconds: number }
  | { kind: "complete"; agentId: string; attempt: number; result: JsonObject }
  | { kind: "fail"; agentId: string; attempt: number; attemptsAllowed: number; error: TaskError }
  | { kind: "time_out"; attempt: number; reason: string }
  | { kind: "recover"; attempt: number; attemptsAllowed: number; error: TaskError }
  | { kind: "cancel"; by: string; reason?: string }
  | { kind: "expire"; attempt: number }
  | { kind: "dead_letter"; attempt: number; error: TaskError }
  | { kind: "redrive"; attempt: number; maxRetries: number; by: string };

/** How failed attempts are retried, and how long a queued attempt may wait. */
export interface RetryPolicy {
  /** The first retry waits up to this long. */
  readonly baseDelaySeconds: number;
  /** No retry waits longer (SQS delays messages 15 minutes at most). */
  readonly maxDelaySeconds: number;
  /** A queued attempt not started within this long after it became available expires. */
  readonly queuedTtlSeconds: number;
}

export interface TransitionContext {
  readonly now: Date;
  readonly policy: RetryPolicy;
  /** A number in [0, 1), for backoff jitter. @default Math.random */
  readonly random?: () => number;
}

/** Fields a transition may write. */
export type TaskChanges = Partial<
  Omit<Task, "taskId" | "type" | "agentType" | "capability" | "priority" | "payload" | "version">
>;

/**
 * A transition worked out without reading the task: the statuses it may start from, the facts
 * the stored task must still match, and what it writes and removes. Stores apply a plan
 * atomically (one conditional write), so two racing writers can never both succeed.
 */
export interface TransitionPlan {
  readonly kind: TaskEventKind;
  readonly from: readonly TaskStatus[];
  readonly expect: Readonly<Partial<Pick<Task, "agentId" | "attempt" | "attemptsAllowed" | "version">>>;
  /** The task must not have expired by this instant (a claim never starts an expired task). */
  readonly notExpiredAt?: string;
  readonly set: Readonly<TaskChanges> & { readonly status: TaskStatus };
  readonly remove: readonly (keyof TaskChanges)[];
}

export class IllegalTransitionError extends Error {
  constructor(
    readonly taskId: string,
    readonly kind: TaskEventKind,
    readonly current: Pick<Task, "status" | "attempt" | "agentId" | "version"> | undefined,
  ) {
    super(
      current
        ? `cannot ${kind} task ${taskId}: it is ${current.status} (attempt ${current.attempt}${current.agentId ? `, agent ${current.agentId}` : ""})`
        : `cannot ${kind} task ${taskId}: it does not exist`,
    );
    this.name = "IllegalTransitionError";
  }
}

const addSeconds = (at: Date, seconds: number) => new Date(at.getTime() + seconds * 1_000).toISOString();

/**
 * Capped exponential backoff with full jitter: after attempt n fails, the retry waits a random
 * time in [0, min(max, base · 2^(n-1))) seconds, so retries of many tasks spread out.
 */
export function retryDelaySeconds(failedAttempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelaySeconds, policy.baseDelaySeconds * 2 ** Math.max(0, failedAttempt - 1));
  return Math.floor(random() * ceiling);
}

/** What entering the queue for `attempt` writes: when it was queued, when it may start, when it expires. */
function queuedFor(attempt: number, delaySeconds: number, ctx: TransitionContext): TaskChanges & { status: "queued" } {
  const availableAt = addSeconds(ctx.now, delaySeconds);
  return {
    status: "queued",
    attempt,
    queuedAt: ctx.now.toISOString(),
    availableAt,
    expiresAt: addSeconds(new Date(availableAt), ctx.policy.queuedTtlSeconds),
  };
}

const RUN_FIELDS = ["agentId", "startedAt", "heartbeatAt", "leaseExpiresAt"] as const;

/** A failed attempt: retried while attempts remain and the error allows it, else final. */
function afterFailure(attempt: number, attemptsAllowed: number, error: TaskError, ctx: TransitionContext) {
  const at = ctx.now.toISOString();
  if (!error.retryable) {
    return { set: { status: "failed" as const, updatedAt: at, finishedAt: at, error }, remove: ["leaseExpiresAt"] as const };
  }
  if (attempt >= attemptsAllowed) {
    return {
      set: { status: "dead_lettered" as const, updatedAt: at, finishedAt: at, error },
      remove: ["leaseExpiresAt"] as const,
    };
  }
  const delay = retryDelaySeconds(attempt, ctx.policy, ctx.random);
  return { set: { ...queuedFor(attempt + 1, delay, ctx), updatedAt: at, error }, remove: RUN_FIELDS };
}

export function planTransition(event: TaskEvent, ctx: TransitionContext): TransitionPlan {
  const at = ctx.now.toISOString();
  const { from } = TRANSITIONS[event.kind];
  switch (event.kind) {
    case "claim":
      return {
        kind: event.kind,
        from,
        expect: { attempt: event.attempt },
        notExpiredAt: at,
        set: {
          status: "running",
          updatedAt: at,
          startedAt: at,
          agentId: event.agentId,
          heartbeatAt: at,
          leaseExpiresAt: addSeconds(ctx.now, event.leaseSeconds),
        },
        remove: ["expiresAt", "availableAt"],
      };
    case "heartbeat":
      return {
        kind: event.kind,
        from,
        expect: { agentId: event.agentId, attempt: event.attempt },
        set: { status: "running", updatedAt: at, heartbeatAt: at, leaseExpiresAt: addSeconds(ctx.now, event.leaseSeconds) },
        remove: [],
      };
    case "complete":
      return {
        kind: event.kind,
        from,
        expect: { agentId: event.agentId, attempt: event.attempt },
        set: { status: "completed", updatedAt: at, finishedAt: at, result: event.result },
        remove: ["leaseExpiresAt"],
      };
    case "fail":
      return {
        kind: event.kind,
        from,
        expect: { agentId: event.agentId, attempt: event.attempt, attemptsAllowed: event.attemptsAllowed },
        ...afterFailure(event.attempt, event.attemptsAllowed, event.error, ctx),
      };
    case "time_out":
      return {
        kind: event.kind,
        from,
        expect: { attempt: event.attempt },
        set: {
          status: "timed_out",
          updatedAt: at,
          timedOutAt: at,
          error: { message: `attempt ${event.attempt} ${event.reason}`, code: "TaskTimedOut", retryable: true },
        },
        remove: ["leaseExpiresAt"],
      };
    case "recover":
      return {
        kind: event.kind,
        from,
        expect: { attempt: event.attempt, attemptsAllowed: event.attemptsAllowed },
        ...afterFailure(event.attempt, event.attemptsAllowed, event.error, ctx),
      };
    case "cancel":
      return {
        kind: event.kind,
        from,
        expect: {},
        set: {
          status: "cancelled",
          updatedAt: at,
          finishedAt: at,
          cancelledBy: event.by,
          ...(event.reason ? { cancelReason: event.reason } : {}),
        },
        remove: ["leaseExpiresAt"],
      };
    case "expire":
      return {
        kind: event.kind,
        from,
        expect: { attempt: event.attempt },
        set: {
          status: "expired",
          updatedAt: at,
          finishedAt: at,
          error: { message: `attempt ${event.attempt} was not started before it expired`, code: "TaskExpired", retryable: false },
        },
        remove: [],
      };
    case "dead_letter":
      return {
        kind: event.kind,
        from,
        expect: { attempt: event.attempt },
        set: { status: "dead_lettered", updatedAt: at, finishedAt: at, error: event.error },
        remove: ["leaseExpiresAt"],
      };
    case "redrive": {
      const attempt = event.attempt + 1;
      return {
        kind: event.kind,
        from,
        expect: { attempt: event.attempt },
        set: {
          ...queuedFor(attempt, 0, ctx),
          updatedAt: at,
          attemptsAllowed: attempt + event.maxRetries,
          redrivenBy: event.by,
          redrivenAt: at,
        },
        remove: ["finishedAt", ...RUN_FIELDS],
      };
    }
  }
}

/** Whether `task` satisfies the plan's preconditions. */
export function permits(plan: TransitionPlan, task: Task): boolean {
  if (!plan.from.includes(task.status)) return false;
  if (plan.notExpiredAt !== undefined && task.expiresAt !== undefined && task.expiresAt <= plan.notExpiredAt) return false;
  return Object.entries(plan.expect).every(([field, value]) => task[field as keyof typeof plan.expect] === value);
}

/**
 * Applies a plan to a task in memory, as a store does atomically.
 * @throws IllegalTransitionError when the task does not satisfy the plan.
 */
export function applyPlan(task: Task, plan: TransitionPlan): Task {
  if (!permits(plan, task)) throw new IllegalTransitionError(task.taskId, plan.kind, task);
  const removed = new Set<string>(plan.remove);
  const kept = Object.fromEntries(Object.entries(task).filter(([field]) => !removed.has(field))) as Task;
  return { ...kept, ...plan.set, version: task.version + 1 };
}
