import * as z from "zod";
import { AgentType } from "../agent-catalog";
import { Priority, TaskStatus } from "../task-vocabulary";
import { AgentStatus } from "./agent-status-changed";

export const METRICS_SNAPSHOT = "MetricsSnapshot";

/** Tasks now in each status. */
export const CountsByStatus = z.record(TaskStatus, z.number().int());

/** Completed tasks per minute: the last full minute, and the mean over the last `minutes`. */
export const Throughput = z.object({
  /** Tasks completed in the last full minute. */
  lastMinute: z.number().int(),
  averageOverMinutes: z.number(),
  minutes: z.number().int(),
});

/** One work queue (agent type × priority), as `GET /api/tasks/queue` and the snapshot show it. */
export const QueueRow = z.object({
  agentType: AgentType,
  priority: Priority,
  /** Messages waiting (approximate, as SQS counts). */
  visible: z.number().int(),
  /** Messages an agent is working on. */
  inFlight: z.number().int(),
  /** Retries waiting out their backoff. */
  delayed: z.number().int(),
  /** Messages in this queue's dead-letter queue. */
  deadLetters: z.number().int(),
  /** Age of the longest-waiting queued task, or null when none waits. */
  oldestAgeSeconds: z.number().int().nullable(),
});
export type QueueRow = z.infer<typeof QueueRow>;

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
    byStatus: CountsByStatus,
    byPriority: z.record(Priority, CountsByStatus),
    throughputPerMinute: Throughput,
    /** Queued to started; null until something started. */
    averageQueueTimeMs: z.number().int().nullable(),
    /** Started to completed or failed; null until something finished. */
    averageExecutionTimeMs: z.number().int().nullable(),
  }),
  /** One row per agent type × priority (20): visible, in flight, delayed, dead letters, oldest age. */
  queues: z.array(QueueRow),
  /** One row per agent type × live status (25), zero counts included, so a chart's series never come and go. */
  agents: z.array(z.object({ agentType: AgentType, status: AgentStatus, count: z.number().int().min(0) })),
  /** How much of the fleet is at work: live agents (healthy or degraded), those running a task, and their task slots. */
  utilization: z.object({
    liveAgents: z.number().int().min(0),
    busyAgents: z.number().int().min(0),
    slots: z.number().int().min(0),
    slotsInUse: z.number().int().min(0),
  }),
  /** Open WebSocket connections (dashboards and clients). */
  connections: z.number().int().min(0),
});
export type MetricsSnapshot = z.infer<typeof MetricsSnapshot>;
