import * as z from "zod";
import { AgentStatus } from "#kernel/bus/agent-status-changed";
import type { MetricsSnapshot } from "#kernel/bus/metrics-snapshot";
import { PRIORITIES, Priority, TaskStatus } from "#kernel/task-vocabulary";

/**
 * `GET /api/metrics/system` (seed 000): the swarm over the last 5 minutes, hour or day, from
 * the points the minute's metrics snapshot leaves behind. A point is the snapshot folded to the
 * figures a chart plots (about 600 bytes instead of 5 KB), so a day is 1,440 small items.
 */
export const METRICS_WINDOWS = {
  "5m": { minutes: 5, resolutionSeconds: 60 },
  "1h": { minutes: 60, resolutionSeconds: 60 },
  // 288 points of five minutes: what a chart can show, and a response that stays small.
  "24h": { minutes: 24 * 60, resolutionSeconds: 300 },
} as const;
export const MetricsWindow = z.enum(Object.keys(METRICS_WINDOWS) as [keyof typeof METRICS_WINDOWS]);
export type MetricsWindow = z.infer<typeof MetricsWindow>;

/** Points are kept a little longer than the longest window. */
export const POINT_RETENTION_HOURS = 25;

const count = z.number().int().min(0);

/** The swarm at one minute, as the system view plots it. */
export const SystemPoint = z.object({
  at: z.iso.datetime(),
  /** Tasks completed in the minute before `at`. */
  throughputPerMinute: count,
  /** Tasks in each status at `at` (the counters behind `GET /api/tasks/status`). */
  tasks: z.record(TaskStatus, count),
  /** Work waiting per priority across agent types: visible and delayed messages. */
  queueDepth: z.record(Priority, count),
  /** Messages agents are working on. */
  inFlight: count,
  deadLetters: count,
  /** The longest wait of any queued task, or null when none waits. */
  oldestQueuedSeconds: count.nullable(),
  averageQueueTimeMs: count.nullable(),
  averageExecutionTimeMs: count.nullable(),
  /** Live agents by status, across types. */
  agents: z.record(AgentStatus.exclude(["stopped"]), count),
  utilization: z.object({ liveAgents: count, busyAgents: count, slots: count, slotsInUse: count }),
  connections: count,
});
export type SystemPoint = z.infer<typeof SystemPoint>;

/** A snapshot folded to its point. */
export function pointOf(snapshot: MetricsSnapshot): SystemPoint {
  const queueDepth = Object.fromEntries(PRIORITIES.map((priority) => [priority, 0])) as Record<Priority, number>;
  let inFlight = 0;
  let deadLetters = 0;
  let oldest: number | null = null;
  for (const row of snapshot.queues) {
    queueDepth[row.priority] += row.visible + row.delayed;
    inFlight += row.inFlight;
    deadLetters += row.deadLetters;
    if (row.oldestAgeSeconds !== null) oldest = Math.max(oldest ?? 0, row.oldestAgeSeconds);
  }
  const agents: SystemPoint["agents"] = { starting: 0, healthy: 0, degraded: 0, unhealthy: 0, stopping: 0 };
  for (const row of snapshot.agents) if (row.status !== "stopped") agents[row.status] += row.count;
  return {
    at: snapshot.at,
    throughputPerMinute: snapshot.tasks.throughputPerMinute.lastMinute,
    tasks: snapshot.tasks.byStatus,
    queueDepth,
    inFlight,
    deadLetters,
    oldestQueuedSeconds: oldest,
    averageQueueTimeMs: snapshot.tasks.averageQueueTimeMs,
    averageExecutionTimeMs: snapshot.tasks.averageExecutionTimeMs,
    agents,
    utilization: snapshot.utilization,
    connections: snapshot.connections,
  };
}

const Percentiles = z.object({ p50: z.number().nullable(), p95: z.number().nullable() });

export const SystemMetricsView = z
  .object({
    window: MetricsWindow,
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    /** Seconds each point of `series` stands for: a point of a longer span is the mean of its minutes (gauges: its last). */
    resolutionSeconds: z.number().int(),
    /** The newest point, or null when none was kept in the window. */
    current: SystemPoint.nullable(),
    summary: z.object({
      /** Minutes with a point in the window (a minute the snapshot missed has none). */
      minutes: count,
      throughput: z.object({ completed: count, perMinuteMean: z.number(), perMinuteMax: count }),
      /** Percentiles over the window's per-minute means (the counters keep sums, not each task's time). */
      queueTimeMs: Percentiles,
      executionTimeMs: Percentiles,
      /** Share of the tasks that finished in the window and did not complete; null when none finished. */
      errorRate: z.number().min(0).max(1).nullable(),
      queueDepth: z.object({ current: count, max: count }),
      /** Share of live agents' task slots in use: now, and the window's mean. */
      utilization: z.object({ current: z.number().nullable(), mean: z.number().nullable() }),
      connections: z.object({ current: count, max: count }),
    }),
    series: z.array(SystemPoint),
  })
  .meta({ id: "SystemMetricsView" });
export type SystemMetricsView = z.infer<typeof SystemMetricsView>;

/** The instant a window starts for one that ends at `now`. */
export const windowStart = (window: MetricsWindow, now: Date): Date =>
  new Date(now.getTime() - METRICS_WINDOWS[window].minutes * 60_000);

const UNSUCCESSFUL = ["failed", "timed_out", "dead_lettered", "expired"] as const;
const FINISHED = ["completed", ...UNSUCCESSFUL, "cancelled"] as const;
const sumOf = (tasks: SystemPoint["tasks"], statuses: readonly TaskStatus[]) =>
  statuses.reduce((sum, status) => sum + (tasks[status] ?? 0), 0);
const depthOf = (point: SystemPoint) => PRIORITIES.reduce((sum, p) => sum + point.queueDepth[p], 0);
const shareInUse = (point: SystemPoint) =>
  point.utilization.slots === 0 ? null : point.utilization.slotsInUse / point.utilization.slots;
const round = (value: number, places = 4) => Math.round(value * 10 ** places) / 10 ** places;

/** The nearest-rank percentile of `values`, or null when there are none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? null;
}

const meanOf = (values: readonly number[]) =>
  values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;

/**
 * Points of a span folded into one: the rates and times are the mean of its minutes, the gauges
 * (counts, depths, agents, connections) what the last minute saw.
 */
function folded(points: readonly SystemPoint[]): SystemPoint {
  const last = points[points.length - 1] as SystemPoint;
  const meanOrNull = (pick: (point: SystemPoint) => number | null) => {
    const mean = meanOf(points.flatMap((point) => (pick(point) === null ? [] : [pick(point) as number])));
    return mean === null ? null : Math.round(mean);
  };
  return {
    ...last,
    throughputPerMinute: Math.round(meanOf(points.map((point) => point.throughputPerMinute)) ?? 0),
    averageQueueTimeMs: meanOrNull((point) => point.averageQueueTimeMs),
    averageExecutionTimeMs: meanOrNull((point) => point.averageExecutionTimeMs),
  };
}

/**
 * The view of one window from the points kept in it (any order). Each figure of the summary
 * comes from the points, so what the charts show and what the numbers say agree.
 */
export function systemMetricsView(points: readonly SystemPoint[], window: MetricsWindow, now: Date): SystemMetricsView {
  const from = windowStart(window, now).toISOString();
  const to = now.toISOString();
  const inWindow = points.filter((point) => point.at > from && point.at <= to).sort((a, b) => a.at.localeCompare(b.at));
  const { resolutionSeconds } = METRICS_WINDOWS[window];
  const spans = new Map<number, SystemPoint[]>();
  for (const point of inWindow) {
    const span = Math.floor(Date.parse(point.at) / (resolutionSeconds * 1_000));
    spans.set(span, [...(spans.get(span) ?? []), point]);
  }
  const series = resolutionSeconds === 60 ? inWindow : [...spans.values()].map(folded);
  const current = inWindow[inWindow.length - 1] ?? null;

  // Finished tasks in the window: the growth of each final status's count from the first point on.
  const first = inWindow[0];
  const grew = (statuses: readonly TaskStatus[]) =>
    first && current ? Math.max(0, sumOf(current.tasks, statuses) - sumOf(first.tasks, statuses)) : 0;
  const finished = grew(FINISHED);
  const throughputs = inWindow.map((point) => point.throughputPerMinute);
  const defined = (pick: (point: SystemPoint) => number | null) =>
    inWindow.flatMap((point) => (pick(point) === null ? [] : [pick(point) as number]));
  const queueTimes = defined((point) => point.averageQueueTimeMs);
  const executionTimes = defined((point) => point.averageExecutionTimeMs);
  const inUse = defined(shareInUse);
  const utilizationMean = meanOf(inUse);
  return {
    window,
    from,
    to,
    resolutionSeconds,
    current,
    summary: {
      minutes: inWindow.length,
      throughput: {
        completed: throughputs.reduce((sum, value) => sum + value, 0),
        perMinuteMean: round(meanOf(throughputs) ?? 0, 2),
        perMinuteMax: Math.max(0, ...throughputs),
      },
      queueTimeMs: { p50: percentile(queueTimes, 50), p95: percentile(queueTimes, 95) },
      executionTimeMs: { p50: percentile(executionTimes, 50), p95: percentile(executionTimes, 95) },
      errorRate: finished === 0 ? null : round(Math.min(1, grew(UNSUCCESSFUL) / finished)),
      queueDepth: { current: current ? depthOf(current) : 0, max: Math.max(0, ...inWindow.map(depthOf)) },
      utilization: {
        current: current ? (shareInUse(current) === null ? null : round(shareInUse(current) as number)) : null,
        mean: utilizationMean === null ? null : round(utilizationMean),
      },
      connections: {
        current: current?.connections ?? 0,
        max: Math.max(0, ...inWindow.map((point) => point.connections)),
      },
    },
    series,
  };
}
