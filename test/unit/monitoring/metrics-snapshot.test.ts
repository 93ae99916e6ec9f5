import { describe, expect, it } from "vitest";
import { AGENT_TYPES } from "#kernel/agent-catalog";
import {
  metricsSnapshotEvent,
  SNAPSHOT_AGENT_STATUSES,
  type SnapshotSources,
  takeMetricsSnapshot,
} from "#monitoring/domain/metrics-snapshot";
import type { QueueDepth, QueueInspector } from "#tasks/domain/ports";
import { countKey, readTaskStatus } from "#tasks/domain/task-stats";
import { anAgent } from "../../support/agents";
import { InMemoryAgentRegistry } from "../../support/fleet";
import { InMemoryTaskStats, inMemoryTaskViews } from "../../support/in-memory-task-stats";
import { InMemoryTaskQuery, InMemoryTaskStore } from "../../support/in-memory-task-store";
import { aTask } from "../../support/tasks";
import { METRICS_SNAPSHOT, MetricsSnapshot } from "#kernel/bus/metrics-snapshot";
import { EVENT_SOURCES } from "#kernel/bus/domain-event";
import { PRIORITIES } from "#kernel/task-vocabulary";

const now = new Date("2026-11-23T10:00:30.000Z");

/** Sources with: queue counters for two types, two completions a minute ago, one old queued task, four agents. */
async function someSwarm(): Promise<{ sources: SnapshotSources; taskStats: InMemoryTaskStats; depths: Map<string, QueueDepth> }> {
  const taskStats = new InMemoryTaskStats({
    "data-quality": {
      [countKey("high", "queued")]: 2,
      [countKey("normal", "running")]: 1,
      [countKey("normal", "completed")]: 5,
      queueTimeSumMs: 3_000,
      queueTimeCount: 3,
      executionTimeSumMs: 10_000,
      executionTimeCount: 5,
    },
    "performance-optimizer": { [countKey("low", "queued")]: 3 },
  });
  // Two completions in the last full minute (10:00 is still filling).
  await taskStats.apply({
    change: { taskId: "task-done", version: 3 },
    agentType: "data-quality",
    counters: {},
    minute: { at: "2026-11-23T09:59", counters: { completed: 2 } },
  });
  const store = new InMemoryTaskStore();
  await store.create(
    aTask({ taskId: "old", agentType: "performance-optimizer", priority: "low", queuedAt: "2026-11-23T09:58:30.000Z" }),
  );
  const depths = new Map<string, QueueDepth>([
    ["performance-optimizer/low", { visible: 3, inFlight: 0, delayed: 1, deadLetters: 0 }],
    ["data-quality/normal", { visible: 0, inFlight: 1, delayed: 0, deadLetters: 2 }],
  ]);
  const inspector: QueueInspector = {
    depth: async (agentType, priority) =>
      depths.get(`${agentType}/${priority}`) ?? { visible: 0, inFlight: 0, delayed: 0, deadLetters: 0 },
  };
  const registry = new InMemoryAgentRegistry([
    anAgent({ agentId: "dq-1", status: "healthy" }),
    anAgent({
      agentId: "dq-2",
      status: "degraded",
      workload: {
        currentTasks: 2,
        maxConcurrentTasks: 3,
        cpuPercent: 50,
        memoryPercent: 40,
        errorRate: 0,
        tasksCompleted: 9,
        tasksFailed: 0,
      },
    }),
    anAgent({ agentId: "ar-1", agentType: "api-reliability", status: "healthy" }),
    anAgent({ agentId: "dq-0", status: "stopped" }),
  ]);
  return {
    depths,
    taskStats,
    sources: {
      tasks: inMemoryTaskViews({ stats: taskStats, query: new InMemoryTaskQuery(store), inspector }),
      fleet: { agents: () => registry.list({ includeStopped: false }) },
      connections: async () => 7,
    },
  };
}

describe("takeMetricsSnapshot", () => {
  it("gives the same task figures as GET /api/tasks/status, at the same instant", async () => {
    // GIVEN counters for two types and two completions in the last full minute
    const { sources, taskStats } = await someSwarm();

    // WHEN a snapshot is taken
    const snapshot = await takeMetricsSnapshot(sources, now);

    // THEN its task figures are the status view's, under the same names
    const view = await readTaskStatus(taskStats, now);
    expect(snapshot.at).toBe(now.toISOString());
    expect(snapshot.tasks).toEqual({
      byStatus: view.counts.byStatus,
      byPriority: view.counts.byPriority,
      throughputPerMinute: view.throughputPerMinute,
      averageQueueTimeMs: view.averageQueueTimeMs,
      averageExecutionTimeMs: view.averageExecutionTimeMs,
    });
    expect(snapshot.tasks.byStatus).toMatchObject({ queued: 5, running: 1, completed: 5, failed: 0 });
    expect(snapshot.tasks.byPriority.low.queued).toBe(3);
    expect(snapshot.tasks.throughputPerMinute).toEqual({ lastMinute: 2, averageOverMinutes: 0.4, minutes: 5 });
    expect(snapshot.tasks).toMatchObject({ averageQueueTimeMs: 1_000, averageExecutionTimeMs: 2_000 });
  });

  it("reports every queue, agent type × priority, with its depth and the age of its oldest queued task", async () => {
    const snapshot = await takeMetricsSnapshot((await someSwarm()).sources, now);

    expect(snapshot.queues).toHaveLength(AGENT_TYPES.length * PRIORITIES.length);
    expect(snapshot.queues.find((q) => q.agentType === "performance-optimizer" && q.priority === "low")).toEqual({
      agentType: "performance-optimizer",
      priority: "low",
      visible: 3,
      inFlight: 0,
      delayed: 1,
      deadLetters: 0,
      oldestAgeSeconds: 120,
    });
    expect(snapshot.queues.find((q) => q.agentType === "data-quality" && q.priority === "normal")).toMatchObject({
      inFlight: 1,
      deadLetters: 2,
      oldestAgeSeconds: null,
    });
  });

  it("counts live agents per type and status, zeros included, leaving stopped agents out", async () => {
    const snapshot = await takeMetricsSnapshot((await someSwarm()).sources, now);

    expect(snapshot.agents).toHaveLength(AGENT_TYPES.length * SNAPSHOT_AGENT_STATUSES.length);
    const count = (agentType: string, status: string) =>
      snapshot.agents.find((a) => a.agentType === agentType && a.status === status)?.count;
    expect(count("data-quality", "healthy")).toBe(1);
    expect(count("data-quality", "degraded")).toBe(1);
    expect(count("api-reliability", "healthy")).toBe(1);
    expect(count("keyword-precision", "healthy")).toBe(0);
    expect(snapshot.agents.some((a) => a.status === "stopped")).toBe(false);
    expect(snapshot.agents.reduce((sum, a) => sum + a.count, 0)).toBe(3);
  });

  it("says how much of the live fleet is at work and how many WebSocket connections are open", async () => {
    const snapshot = await takeMetricsSnapshot((await someSwarm()).sources, now);
    // Three live agents of three slots each; one of them runs two tasks. The stopped agent counts for nothing.
    expect(snapshot.utilization).toEqual({ liveAgents: 3, busyAgents: 1, slots: 9, slotsInUse: 2 });
    expect(snapshot.connections).toBe(7);
  });

  it("is what the schema the dashboard relies on says, and is published as one MetricsSnapshot event", async () => {
    const snapshot = await takeMetricsSnapshot((await someSwarm()).sources, now);

    expect(MetricsSnapshot.parse(JSON.parse(JSON.stringify(snapshot)))).toEqual(snapshot);
    expect(metricsSnapshotEvent(snapshot)).toEqual({
      source: EVENT_SOURCES.monitoring,
      detailType: METRICS_SNAPSHOT,
      detail: snapshot,
    });
    // Well under EventBridge's 256 KB entry limit, with room to grow.
    expect(JSON.stringify(snapshot).length).toBeLessThan(16 * 1024);
  });

  it("is fine on an empty swarm: zero counts, no oldest age, no averages", async () => {
    const snapshot = await takeMetricsSnapshot(
      {
        tasks: inMemoryTaskViews({
          stats: new InMemoryTaskStats(),
          query: new InMemoryTaskQuery(new InMemoryTaskStore()),
          inspector: { depth: async () => ({ visible: 0, inFlight: 0, delayed: 0, deadLetters: 0 }) },
        }),
        fleet: { agents: async () => [] },
        connections: async () => 0,
      },
      now,
    );
    expect(Object.values(snapshot.tasks.byStatus).every((n) => n === 0)).toBe(true);
    expect(snapshot.tasks).toMatchObject({ averageQueueTimeMs: null, averageExecutionTimeMs: null });
    expect(snapshot.queues.every((q) => q.oldestAgeSeconds === null && q.visible === 0)).toBe(true);
    expect(snapshot.agents.every((a) => a.count === 0)).toBe(true);
  });

  it("fails when a source fails, rather than publish a snapshot with figures missing", async () => {
    const { sources, taskStats } = await someSwarm();
    const broken: SnapshotSources = {
      ...sources,
      tasks: inMemoryTaskViews({
        stats: taskStats,
        query: new InMemoryTaskQuery(new InMemoryTaskStore()),
        inspector: { depth: () => Promise.reject(new Error("SQS unavailable")) },
      }),
    };
    await expect(takeMetricsSnapshot(broken, now)).rejects.toThrow("SQS unavailable");
  });
});
