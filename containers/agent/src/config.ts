import * as z from "zod";
import { AgentType } from "#kernel/agent-catalog";
import { jsonEnv, readEnv } from "#shared/env";
import { PRIORITIES, type Priority } from "#kernel/task-vocabulary";

const QueueUrlsByPriority = z.object(
  Object.fromEntries(PRIORITIES.map((priority) => [priority, z.url()])) as Record<Priority, z.ZodURL>,
);

/** The agent's settings, from its container (or local process) environment. */
export const AgentConfig = z.object({
  AGENT_TYPE: AgentType,
  AGENT_ID: z.string().min(1).optional(),
  /** Set by a stand-in for ECS; on ECS the task metadata endpoint says it. */
  TASK_ARN: z.string().min(1).optional(),
  ECS_CONTAINER_METADATA_URI_V4: z.url().optional(),
  /** The ECS agent's endpoint, for task scale-in protection. */
  ECS_AGENT_URI: z.url().optional(),
  AGENTS_TABLE: z.string().min(1),
  TASKS_TABLE: z.string().min(1),
  /** This agent type's four queue URLs, as JSON `{ "critical": "...", ... }`. */
  WORK_QUEUE_URLS: jsonEnv(QueueUrlsByPriority),
  MAX_CONCURRENT_TASKS: z.coerce.number().int().min(1).max(50).default(3),
  HEARTBEAT_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(300).default(30),
  /** The queues' visibility timeout (six heartbeat intervals, as the CDK sets it). */
  VISIBILITY_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(43_200).default(180),
  LONG_POLL_SECONDS: z.coerce.number().int().min(1).max(20).default(5),
  MAX_RESULT_BYTES: z.coerce.number().int().min(1_024).max(102_400).default(102_400),
  /** A claim lapses after this long without a heartbeat (three heartbeat intervals, as the CDK sets it). */
  LEASE_SECONDS: z.coerce.number().int().min(3).max(3_600).default(90),
  MAX_RECEIVE_COUNT: z.coerce.number().int().min(1).max(100).default(5),
  RETRY_BASE_DELAY_SECONDS: z.coerce.number().int().min(0).max(900).default(2),
  RETRY_MAX_DELAY_SECONDS: z.coerce.number().int().min(0).max(900).default(300),
  QUEUED_TTL_SECONDS: z.coerce.number().int().min(1).default(86_400),
  /** How long running tasks get to finish after SIGTERM (ECS waits 30 s before SIGKILL). */
  STOP_GRACE_SECONDS: z.coerce.number().int().min(1).max(120).default(25),
});
export type AgentConfig = z.infer<typeof AgentConfig>;

export function loadAgentConfig(env: Record<string, string | undefined> = process.env): AgentConfig {
  return readEnv(AgentConfig, env);
}
