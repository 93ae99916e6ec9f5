import * as z from "zod";
import { AGENT_TYPES, AgentType } from "#kernel/agent-catalog";
import { CountsByStatus, Throughput } from "#kernel/bus/metrics-snapshot";
import { PRIORITIES, Priority, TASK_STATUSES, type TaskStatus } from "#kernel/task-vocabulary";
import type { MinuteCounters, StatsDelta, TaskStatsStore, TypeCounters } from "./ports";
import type { Task } from "./task";

/** Counter names on an agent type's stats row: tasks now in each status, by priority. */
export const countKey = (priority: Priority, status: TaskStatus) => `n_${priority}_${status}`;

const elapsed = (from?: string, to?: string) => (from && to ? Math.max(0, Date.parse(to) - Date.parse(from)) : undefined);

/** The minute an instant falls in, e.g. `2026-11-23T10:04`. */
export const minuteOf = (iso: string) => iso.slice(0, 16);

/**
 * How a change moves the counters: out of the old status and into the new one, plus the
 * queue time when an attempt starts and the execution time when a running attempt ends.
 */
export function statsDelta(previous: Task | undefined, current: Task): StatsDelta | undefined {
  if (previous && previous.status === current.status) return undefined;
  const counters: Record<string, number> = { [countKey(current.priority, current.status)]: 1 };
  if (previous)
    counters[countKey(previous.priority, previous.status)] = (counters[countKey(previous.priority, previous.status)] ?? 0) - 1;
  if (current.status === "running") {
    const queueTime = elapsed(current.queuedAt, current.startedAt);
    if (queueTime !== undefined) Object.assign(counters, { queueTimeSumMs: queueTime, queueTimeCount: 1 });
  }
  const ranToEnd = previous?.status === "running" && (current.status === "completed" || current.status === "failed");
  if (ranToEnd) {
    const executionTime = elapsed(current.startedAt, current.finishedAt);
    if (executionTime !== undefined) Object.assign(counters, { executionTimeSumMs: executionTime, executionTimeCount: 1 });
  }
  // `timed_out` is passed through at once (to a retry or a dead letter), so its count says little: keep a running total.
  if (current.status === "timed_out") Object.assign(counters, { timeouts: 1, timedOutTimeoutSecondsSum: current.timeoutSeconds });
  const finishedNow = current.finishedAt !== undefined && previous?.finishedAt !== current.finishedAt;
  const type = current.agentType;
  const minute: Record<string, number> = {};
  if (finishedNow) {
    Object.assign(minute, { finished: 1, [`finished_${type}`]: 1 });
    if (current.status === "completed") Object.assign(minute, { completed: 1, [`completed_${type}`]: 1 });
    else minute[`unsuccessful_${type}`] = 1;
  }
  if (current.status === "timed_out") minute[`timedOut_${type}`] = 1;
  return {
    change: { taskId: current.taskId, version: current.version },
    agentType: type,
    counters,
    ...(Object.keys(minute).length > 0 ? { minute: { at: minuteOf(current.updatedAt), counters: minute } } : {}),
  };
}

/** One agent type's task outcomes over some minutes: how many finished, how many of those did not complete, and timeouts. */
export interface TypeOutcomes {
  readonly finished: number;
  readonly unsuccessful: number;
  readonly timedOut: number;
}

/** Sums an agent type's outcomes over minute rows. */
export const typeOutcomesOf = (agentType: AgentType, minutes: readonly MinuteCounters[]): TypeOutcomes => {
  const sum = (name: string) => minutes.reduce((n, row) => n + (row[`${name}_${agentType}`] ?? 0), 0);
  return { finished: sum("finished"), unsuccessful: sum("unsuccessful"), timedOut: sum("timedOut") };
};

/** `GET /api/tasks/status` (seed 000 `orchestration_metrics`). */
export const TaskStatusView = z
  .object({
    generatedAt: z.iso.datetime(),
    /** Every task ever submitted (seed `tasks_scheduled`). */
    tasksScheduled: z.number().int(),
    tasksCompleted: z.number().int(),
    counts: z.object({
      byStatus: CountsByStatus,
      byPriority: z.record(Priority, CountsByStatus),
      byAgentType: z.record(AgentType, CountsByStatus),
    }),
    throughputPerMinute: Throughput,
    /** Queued to started; null until something started. */
    averageQueueTimeMs: z.number().int().nullable(),
    /** Started to completed or failed; null until something finished. */
    averageExecutionTimeMs: z.number().int().nullable(),
  })
  .meta({ id: "TaskStatusView" });
export type TaskStatusView = z.infer<typeof TaskStatusView>;

const zeroByStatus = () => Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;

/** `GET /api/tasks/status`: where every task is, how fast work flows, and how long it waits and runs. */
export function summarizeStats(
  byType: Readonly<Partial<Record<AgentType, TypeCounters>>>,
  lastMinutes: readonly MinuteCounters[],
  now: Date,
) {
  const byStatus = zeroByStatus();
  const byPriority = Object.fromEntries(PRIORITIES.map((p) => [p, zeroByStatus()])) as Record<
    Priority,
    Record<TaskStatus, number>
  >;
  const byAgentType = Object.fromEntries(AGENT_TYPES.map((t) => [t, zeroByStatus()])) as Record<
    AgentType,
    Record<TaskStatus, number>
  >;
  let queueTimeSum = 0;
  let queueTimeCount = 0;
  let executionTimeSum = 0;
  let executionTimeCount = 0;
  for (const type of AGENT_TYPES) {
    const row = byType[type] ?? {};
    for (const priority of PRIORITIES) {
      for (const status of TASK_STATUSES) {
        const n = Math.max(0, row[countKey(priority, status)] ?? 0);
        byStatus[status] += n;
        byPriority[priority][status] += n;
        byAgentType[type][status] += n;
      }
    }
    queueTimeSum += row.queueTimeSumMs ?? 0;
    queueTimeCount += row.queueTimeCount ?? 0;
    executionTimeSum += row.executionTimeSumMs ?? 0;
    executionTimeCount += row.executionTimeCount ?? 0;
  }
  const completedPerMinute = lastMinutes.map((m) => m.completed ?? 0);
  const average = (sum: number, count: number) => (count === 0 ? null : Math.round(sum / count));
  return {
    generatedAt: now.toISOString(),
    tasksScheduled: Object.values(byStatus).reduce((a, b) => a + b, 0),
    tasksCompleted: byStatus.completed,
    counts: { byStatus, byPriority, byAgentType },
    throughputPerMinute: {
      lastMinute: completedPerMinute[0] ?? 0,
      averageOverMinutes:
        completedPerMinute.length === 0 ? 0 : completedPerMinute.reduce((a, b) => a + b, 0) / completedPerMinute.length,
      minutes: completedPerMinute.length,
    },
    averageQueueTimeMs: average(queueTimeSum, queueTimeCount),
    averageExecutionTimeMs: average(executionTimeSum, executionTimeCount),
  };
}

/** Minutes the throughput average spans. */
export const THROUGHPUT_WINDOW_MINUTES = 5;

/**
 * The status view as of `now`, read from the counters. The current minute is still filling, so
 * throughput averages over the last full minutes. `GET /api/tasks/status` and the metrics
 * snapshot both read it here, so the two never disagree.
 *
 * @example
 * const view = await readTaskStatus(stats, new Date());
 */
export async function readTaskStatus(stats: Pick<TaskStatsStore, "byType" | "lastMinutes">, now: Date): Promise<TaskStatusView> {
  const lastMinute = new Date(now.getTime() - 60_000);
  const [byType, minutes] = await Promise.all([stats.byType(), stats.lastMinutes(THROUGHPUT_WINDOW_MINUTES, lastMinute)]);
  return summarizeStats(byType, minutes, now);
}

/**
 * One agent type's task figures, from its stats row: what the scheduler, the scaler and the
 * reviewers read of a type.
 */
export interface TypeTaskFigures {
  readonly queued: number;
  readonly running: number;
  readonly completed: number;
  /** Failed, dead-lettered and expired. */
  readonly unsuccessful: number;
  readonly deadLettered: number;
  /** Completed ÷ finished, in [0, 1]; 1 while the type has no history. */
  readonly successRate: number;
  /** Attempts that ran out of time, ever, and the mean timeout those tasks had. */
  readonly timedOut: number;
  readonly avgTimeoutSecondsOfTimedOut: number | undefined;
  readonly avgExecutionMs: number | undefined;
  readonly avgQueueMs: number | undefined;
}

/** A type's figures from its stats row (tasks by priority and status, time sums). */
export function typeFiguresOf(row: TypeCounters | undefined): TypeTaskFigures {
  const sum = (status: TaskStatus) => PRIORITIES.reduce((n, p) => n + Math.max(0, row?.[countKey(p, status)] ?? 0), 0);
  const ratio = (total: string, count: string) => {
    const n = row?.[count] ?? 0;
    return n === 0 ? undefined : (row?.[total] ?? 0) / n;
  };
  const completed = sum("completed");
  const unsuccessful = sum("failed") + sum("dead_lettered") + sum("expired");
  return {
    queued: sum("queued"),
    running: sum("running"),
    completed,
    unsuccessful,
    deadLettered: sum("dead_lettered"),
    successRate: completed + unsuccessful === 0 ? 1 : completed / (completed + unsuccessful),
    timedOut: row?.timeouts ?? 0,
    avgTimeoutSecondsOfTimedOut: ratio("timedOutTimeoutSecondsSum", "timeouts"),
    avgExecutionMs: ratio("executionTimeSumMs", "executionTimeCount"),
    avgQueueMs: ratio("queueTimeSumMs", "queueTimeCount"),
  };
}

/**
 * How many tasks match a list's filters, from the per-type counters: the sum of `n_<priority>_<status>`
 * over the types, priorities and statuses the filter allows. A counter a retried batch could
 * have moved twice is applied exactly once (ADR 0017), so the sum is the count.
 *
 * @example
 * totalMatching({ "data-quality": { n_high_queued: 2, n_low_queued: 1 } }, { status: "queued", priority: "high" }) // → 2
 */
export function totalMatching(
  byType: Readonly<Partial<Record<AgentType, TypeCounters>>>,
  filter: { readonly status?: TaskStatus; readonly agentType?: AgentType; readonly priority?: Priority },
): number {
  const types = filter.agentType ? [filter.agentType] : AGENT_TYPES;
  const priorities = filter.priority ? [filter.priority] : PRIORITIES;
  const statuses = filter.status ? [filter.status] : TASK_STATUSES;
  let total = 0;
  for (const type of types)
    for (const priority of priorities)
      for (const status of statuses) total += Math.max(0, byType[type]?.[countKey(priority, status)] ?? 0);
  return total;
}
