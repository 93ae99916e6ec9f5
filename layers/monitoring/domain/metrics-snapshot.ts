import { countAgents, type FleetFigures, isLive } from "#agents/published/fleet-figures";
import { AGENT_TYPES } from "#kernel/agent-catalog";
import { AGENT_STATUSES } from "#kernel/bus/agent-status-changed";
import { type DomainEvent, EVENT_SOURCES } from "#kernel/bus/domain-event";
import { METRICS_SNAPSHOT, MetricsSnapshot } from "#kernel/bus/metrics-snapshot";
import type { TaskViews } from "#tasks/published/task-figures";

/** Agent statuses a snapshot counts: stopped agents are left out, as `GET /api/agents/status` does by default. */
export const SNAPSHOT_AGENT_STATUSES = AGENT_STATUSES.filter((status) => status !== "stopped");

/** Where a snapshot's figures come from: the views behind `GET /api/tasks/status`, `/api/tasks/queue` and `/api/agents/status`. */
export interface SnapshotSources {
  readonly tasks: TaskViews;
  readonly fleet: FleetFigures;
  /** Open WebSocket connections. */
  readonly connections: () => Promise<number>;
}

/**
 * Reads the task counters, every queue's depth and the agent registry in parallel, and
 * assembles them into one snapshot, validated against the schema the dashboard relies on.
 *
 * @example
 * const snapshot = await takeMetricsSnapshot(sources, new Date());
 * await publisher.publish([metricsSnapshotEvent(snapshot)]);
 */
export async function takeMetricsSnapshot(sources: SnapshotSources, now: Date): Promise<MetricsSnapshot> {
  const [status, queues, agents, connections] = await Promise.all([
    sources.tasks.status(now),
    sources.tasks.queues(now),
    sources.fleet.agents(),
    sources.connections(),
  ]);
  const byType = countAgents(agents);
  const live = agents.filter(isLive);
  // Parsed rather than trusted: a figure that drifts from the schema fails here, not on the page.
  return MetricsSnapshot.parse({
    at: now.toISOString(),
    tasks: {
      byStatus: status.counts.byStatus,
      byPriority: status.counts.byPriority,
      throughputPerMinute: status.throughputPerMinute,
      averageQueueTimeMs: status.averageQueueTimeMs,
      averageExecutionTimeMs: status.averageExecutionTimeMs,
    },
    queues,
    agents: AGENT_TYPES.flatMap((agentType) =>
      SNAPSHOT_AGENT_STATUSES.map((status) => ({ agentType, status, count: byType[agentType][status] })),
    ),
    utilization: {
      liveAgents: live.length,
      busyAgents: live.filter((agent) => agent.workload.currentTasks > 0).length,
      slots: live.reduce((sum, agent) => sum + agent.workload.maxConcurrentTasks, 0),
      slotsInUse: live.reduce((sum, agent) => sum + Math.min(agent.workload.currentTasks, agent.workload.maxConcurrentTasks), 0),
    },
    connections,
  });
}

/** The one bus event a snapshot is published as. */
export function metricsSnapshotEvent(snapshot: MetricsSnapshot): DomainEvent<MetricsSnapshot> {
  return { source: EVENT_SOURCES.monitoring, detailType: METRICS_SNAPSHOT, detail: snapshot };
}
