import * as z from "zod";
import { AgentType } from "../agent-catalog";

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

export const AGENT_STATUS_CHANGED = "AgentStatusChanged";

/** The `AgentStatusChanged` event detail: an agent joined, changed health, or left. */
export const AgentStatusChanged = z.object({
  agentId: z.string(),
  agentType: AgentType,
  status: AgentStatus,
  previousStatus: AgentStatus.nullable(),
  statusReason: z.string().optional(),
  taskArn: z.string().optional(),
  heartbeatAt: z.string(),
  workload: Workload,
  version: z.number().int(),
});
export type AgentStatusChanged = z.infer<typeof AgentStatusChanged>;
