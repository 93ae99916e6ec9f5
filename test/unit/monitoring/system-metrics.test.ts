import { describe, expect, it } from "vitest";
import { type MetricsSnapshot, MetricsSnapshot as SnapshotSchema } from "#kernel/bus/metrics-snapshot";
import { AGENT_TYPES } from "#kernel/agent-catalog";
import { PRIORITIES, TASK_STATUSES } from "#kernel/task-vocabulary";
import { percentile, pointOf, type SystemPoint, SystemMetricsView, systemMetricsView } from "#monitoring/domain/system-metrics";

const zeroStatuses = () => Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<(typeof TASK_STATUSES)[number], number>;

function snapshotAt(at: string, overrides: { completed?: number; failed?: number; lastMinute?: number } = {}): MetricsSnapshot {
  return SnapshotSchema.parse({
    at,
    tasks: {
      byStatus: { ...zeroStatuses(), queued: 4, completed: overrides.completed ?? 0, failed: overrides.failed ?? 0 },
      byPriority: Object.fromEntries(PRIORITIES.map((p) => [p, zeroStatuses()])),
      throughputPerMinute: { lastMinute: overrides.lastMinute ?? 0, averageOverMinutes: 0, minutes: 5 },
      averageQueueTimeMs: 100,
      averageExecutionTimeMs: null,
    },
    queues: AGENT_TYPES.flatMap((agentType) =>
      PRIORITIES.map((priority) => ({
        agentType,
        priority,
        visible: priority === "critical" ? 1 : 0,
        inFlight: 0,
        delayed: priority === "low" ? 2 : 0,
        deadLetters: 0,
        oldestAgeSeconds: agentType === "data-quality" && priority === "low" ? 42 : null,
      })),
    ),
    agents: AGENT_TYPES.flatMap((agentType) =>
      (["starting", "healthy", "degraded", "unhealthy", "stopping"] as const).map((status) => ({
        agentType,
        status,
        count: status === "healthy" ? 1 : 0,
      })),
    ),
    utilization: { liveAgents: 5, busyAgents: 2, slots: 15, slotsInUse: 3 },
    connections: 2,
  });
}

/** A point a minute, `minutes` of them up to `end`, each completing `perMinute` more tasks. */
function minutes(count: number, end: Date, perMinute: number, failEvery = 0): SystemPoint[] {
  return Array.from({ length: count }, (_, i) => {
    const at = new Date(end.getTime() - (count - 1 - i) * 60_000).toISOString();
    return pointOf(
      snapshotAt(at, {
        completed: perMinute * i,
        failed: failEvery === 0 ? 0 : Math.floor(i / failEvery),
        lastMinute: perMinute,
      }),
    );
  });
}

const now = new Date("2026-12-02T12:00:30.000Z");

describe("a metrics point", () => {
  it("folds a snapshot to what the charts plot: depth per priority across types, live agents by status, the oldest wait", () => {
    const point = pointOf(snapshotAt("2026-12-02T12:00:00.000Z", { lastMinute: 9 }));
    expect(point.queueDepth).toEqual({ critical: 5, high: 0, normal: 0, low: 10 });
    expect(point.agents).toEqual({ starting: 0, healthy: 5, degraded: 0, unhealthy: 0, stopping: 0 });
    expect(point).toMatchObject({ throughputPerMinute: 9, oldestQueuedSeconds: 42, connections: 2, inFlight: 0 });
    // Small enough that a day of them is one Query: under 1 KB each.
    expect(JSON.stringify(point).length).toBeLessThan(1_024);
  });
});

describe("the system view of a window", () => {
  it("keeps the window's minutes only, oldest first, and sums them up from the same points", () => {
    // 70 minutes of points, unordered: the 1 h window sees the last 60.
    const points = minutes(70, new Date("2026-12-02T12:00:00.000Z"), 6, 3).reverse();
    const view = systemMetricsView(points, "1h", now);
    expect(SystemMetricsView.parse(view)).toEqual(view);
    expect(view.series).toHaveLength(60);
    expect(view.series.map((p) => p.at)).toEqual([...view.series.map((p) => p.at)].sort());
    expect(view.current?.at).toBe("2026-12-02T12:00:00.000Z");
    expect(view.summary.throughput).toEqual({ completed: 360, perMinuteMean: 6, perMinuteMax: 6 });
    // 59 minutes of growth: 354 completed, 19 or 20 failed (one every 3 minutes).
    expect(view.summary.errorRate).toBeCloseTo(20 / (354 + 20), 2);
    expect(view.summary.queueTimeMs).toEqual({ p50: 100, p95: 100 });
    expect(view.summary.executionTimeMs).toEqual({ p50: null, p95: null });
    expect(view.summary.utilization).toEqual({ current: 0.2, mean: 0.2 });
    expect(view.summary.queueDepth).toEqual({ current: 15, max: 15 });
  });

  it("folds a day into five-minute points: rates averaged, gauges the span's last", () => {
    const points = minutes(24 * 60, new Date("2026-12-02T12:00:00.000Z"), 4);
    const view = systemMetricsView(points, "24h", now);
    expect(view.resolutionSeconds).toBe(300);
    expect(view.series.length).toBeGreaterThanOrEqual(288);
    expect(view.series.length).toBeLessThanOrEqual(289);
    expect(view.series.every((p) => p.throughputPerMinute === 4)).toBe(true);
    // The control: the 1 h window of the same points has a point a minute.
    expect(systemMetricsView(points, "1h", now).series).toHaveLength(60);
  });

  it("is empty, not wrong, when no point was kept: no current, no rates", () => {
    const view = systemMetricsView([], "5m", now);
    expect(view).toMatchObject({ current: null, series: [], summary: { minutes: 0, errorRate: null } });
    expect(view.summary.utilization).toEqual({ current: null, mean: null });
  });

  it("takes nearest-rank percentiles", () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(
      percentile(
        [...Array(100).keys()].map((i) => i + 1),
        95,
      ),
    ).toBe(95);
    expect(percentile([], 95)).toBeNull();
  });
});
