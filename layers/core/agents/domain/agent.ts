import * as z from "zod";
import { AgentType } from "./agent-types";

export const AGENT_STATUSES = ["starting", "healthy", "degraded", "unhealthy", "stopping", "stopped"] as const;
export const AgentStatus = z.enum(AGENT_STATUSES);
export type AgentStatus = z.infer<typeof AgentStatus>;

/** What an agent reports about itself with every heartbeat. */
export const Workload = z.object({
  currentTasks: z.number().int().min(0),
  maxConcurrentTasks: z.number().int().min(1),
  /** Share of the task's CPU allocation used since the last heartbeat, 0–100+. */
  cpuPercent: z.number().min(0),
  /** Resident memory as a share of the task's memory, 0–100+. */
  memoryPercent: z.number().min(0),
  /** Failed ÷ finished over the agent's recent tasks, 0–1. */
  errorRate: z.number().min(0).max(1),
  tasksCompleted: z.number().int().min(0),
  tasksFailed: z.number().int().min(0),
});
export type Workload = z.infer<typeof Workload>;

/** An agent in the registry: who it is, what it can do, and how it last said it was. */
export const Agent = z.object({
  agentId: z.string().min(1),
  agentType: AgentType,
  /** The ECS task running it, when it runs on ECS (or its stand-in locally). */
  taskArn: z.string().optional(),
  capabilities: z.array(z.string()),
  status: AgentStatus,
  /** Why the status is what it is (health classification, stop reason). */
  statusReason: z.string().optional(),
  registeredAt: z.iso.datetime(),
  heartbeatAt: z.iso.datetime(),
  /** Seconds between heartbeats this agent promised. */
  heartbeatIntervalSeconds: z.number().int().min(1),
  workload: Workload,
  stoppedAt: z.iso.datetime().optional(),
  version: z.number().int().min(1),
});
export type Agent = z.infer<typeof Agent>;

export const AGENT_STATUS_CHANGED = "AgentStatusChanged";
