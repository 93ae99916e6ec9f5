import * as z from "zod";
import { AGENT_STATUSES, AgentStatus } from "#core/agents/domain/agent";
import { AGENT_TYPES, AgentType } from "#core/agents/domain/agent-types";
import { countAgents } from "#core/agents/domain/fleet-status";
import type { AgentRegistry } from "#core/agents/domain/ports";
import { type DomainEvent, EVENT_SOURCES } from "#core/shared/events";
import type { QueueInspector, TaskQuery, TaskStatsStore } from "#core/tasks/domain/ports";
import { QueueRow, queueView } from "#core/tasks/domain/queue-view";
import { readTaskStatus, TaskStatusView } from "#core/tasks/domain/task-stats";

/** The bus detail type; the dashboard relays it as `metrics` on the `metrics_only` topic. */
export const METRICS_SNAPSHOT = "MetricsSnapshot";

/** Agent statuses a snapshot counts: stopped agents are left out, as `GET /api/agents/status` does by default. */
export const SNAPSHOT_AGENT_STATUSES = AGENT_STATUSES.filter((status) => status !== "stopped");

const counts = TaskStatusView.shape.counts.shape;

/**
 * The swarm at one instant, published once a minute as a `MetricsSnapshot` event (the dashboard's
 * `metrics` frame). Every part is the same figure the HTTP views give, under the same names:
 * `tasks` from `GET /api/tasks/status`, `queues` the rows of `GET /api/tasks/queue`, `agents`
 * the counts of `GET /api/agents/status`.
 */
export const MetricsSnapshot = z.object({
  at: z.iso.datetime(),
  tasks: z.object({
    /** Tasks now in each status, across every type. */
    byStatus: counts.byStatus,
    byPriority: counts.byPriority,
    throughputPerMinute: TaskStatusView.shape.throughputPerMinute,
    /** Queued to started; null until something started. */
    averageQueueTimeMs: TaskStatusView.shape.averageQueueTimeMs,
    /** Started to completed or failed; null until something finished. */
    averageExecutionTimeMs: TaskStatusView.shape.averageExecutionTimeMs,
  }),
  /** One row per agent type × priority (20): visible, in flight, delayed, dead letters, oldest age. */
  queues: z.array(QueueRow),
  /** One row per agent type × live status (25), zero counts included, so a chart's series never come and go. */
  agents: z.array(z.object({ agentType: AgentType, status: AgentStatus, count: z.number().int().min(0) })),
});
export type MetricsSnapshot = z.infer<typeof MetricsSnapshot>;

/** Where a snapshot's figures come from: the ports behind the three HTTP views. */
export interface SnapshotSources {
  readonly taskStats: Pick<TaskStatsStore, "byType" | "lastMinutes">;
  readonly queueInspector: QueueInspector;
  readonly taskQuery: TaskQuery;
  readonly registry: Pick<AgentRegistry, "list">;
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
  const [status, queues, agents] = await Promise.all([
    readTaskStatus(sources.taskStats, now),
    queueView({ inspector: sources.queueInspector, query: sources.taskQuery, now }),
    sources.registry.list({ includeStopped: false }),
  ]);
  const byType = countAgents(agents);
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
  });
}

/** The one bus event a snapshot is published as. */
export function metricsSnapshotEvent(snapshot: MetricsSnapshot): DomainEvent<MetricsSnapshot> {
  return { source: EVENT_SOURCES.monitoring, detailType: METRICS_SNAPSHOT, detail: snapshot };
}
