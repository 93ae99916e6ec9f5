import type { JsonObject, Task, TaskError, TaskStatus } from "./task";

/**
 * The task life cycle. Each event names the statuses it may leave from and the status it
 * leads to; anything else is an illegal transition and is refused, never applied.
 *
 *   queued ──claim──▶ running ──complete──▶ completed
 *                        └──────fail──────▶ failed
 */
export const TRANSITIONS = {
  claim: { from: ["queued"], to: "running" },
  complete: { from: ["running"], to: "completed" },
  fail: { from: ["running"], to: "failed" },
} as const satisfies Record<string, { from: readonly TaskStatus[]; to: TaskStatus }>;

export type TaskEventKind = keyof typeof TRANSITIONS;

export type TaskEvent =
  | { kind: "claim"; agentId: string; attempt: number }
  | { kind: "complete"; agentId: string; attempt: number; result: JsonObject }
  | { kind: "fail"; agentId: string; attempt: number; error: TaskError };

/** Fields a transition may write. */
export type TaskChanges = Partial<
  Pick<Task, "status" | "updatedAt" | "startedAt" | "finishedAt" | "agentId" | "result" | "error">
>;

/**
 * A transition worked out without reading the task: the statuses it may start from, the
 * facts the stored task must still match, and the fields it writes. Stores apply a plan
 * atomically (a conditional write), so two racing writers can never both succeed.
 */
export interface TransitionPlan {
  readonly kind: TaskEventKind;
  readonly from: readonly TaskStatus[];
  readonly expect: Readonly<Partial<Pick<Task, "agentId" | "attempt">>>;
  readonly set: Readonly<TaskChanges>;
}

export class IllegalTransitionError extends Error {
  constructor(
    readonly taskId: string,
    readonly kind: TaskEventKind,
    readonly current: Pick<Task, "status" | "attempt" | "agentId"> | undefined,
  ) {
    super(
      current
        ? `cannot ${kind} task ${taskId}: it is ${current.status} (attempt ${current.attempt}${current.agentId ? `, agent ${current.agentId}` : ""})`
        : `cannot ${kind} task ${taskId}: it does not exist`,
    );
    this.name = "IllegalTransitionError";
  }
}

export function planTransition(event: TaskEvent, now: Date): TransitionPlan {
  const at = now.toISOString();
  const { from, to } = TRANSITIONS[event.kind];
  switch (event.kind) {
    case "claim":
      return {
        kind: event.kind,
        from,
        expect: { attempt: event.attempt },
        set: { status: to, updatedAt: at, startedAt: at, agentId: event.agentId },
      };
    case "complete":
      return {
        kind: event.kind,
        from,
        expect: { agentId: event.agentId, attempt: event.attempt },
        set: { status: to, updatedAt: at, finishedAt: at, result: event.result },
      };
    case "fail":
      return {
        kind: event.kind,
        from,
        expect: { agentId: event.agentId, attempt: event.attempt },
        set: { status: to, updatedAt: at, finishedAt: at, error: event.error },
      };
  }
}

/** Whether `task` satisfies the plan's preconditions. */
export function permits(plan: TransitionPlan, task: Task): boolean {
  if (!plan.from.includes(task.status)) return false;
  return Object.entries(plan.expect).every(([field, value]) => task[field as keyof typeof plan.expect] === value);
}

/**
 * Applies a plan to a task in memory, as a store does atomically.
 * @throws IllegalTransitionError when the task does not satisfy the plan.
 */
export function applyPlan(task: Task, plan: TransitionPlan): Task {
  if (!permits(plan, task)) throw new IllegalTransitionError(task.taskId, plan.kind, task);
  return { ...task, ...plan.set, version: task.version + 1 };
}
