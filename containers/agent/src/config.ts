import * as z from "zod";
import { AgentEnvironment } from "#agents/published/agent-environment";
import { readEnv } from "#shared/env";

/** What only the platform the agent runs on adds: its id and task, the ECS endpoints. */
const PlatformEnvironment = z.object({
  AGENT_ID: z.string().min(1).optional(),
  /** Set by a stand-in for ECS; on ECS the task metadata endpoint says it. */
  TASK_ARN: z.string().min(1).optional(),
  ECS_CONTAINER_METADATA_URI_V4: z.url().optional(),
  /** The ECS agent's endpoint, for task scale-in protection. */
  ECS_AGENT_URI: z.url().optional(),
});

/** The largest result a task may return, in bytes (what a tasks-table item holds with room to spare). */
export const MAX_RESULT_BYTES = 102_400;

/**
 * The agent's settings: what its task definition sets (`AgentEnvironment`, written by the CDK,
 * every variable required) and what the platform adds.
 */
export function loadAgentConfig(env: Record<string, string | undefined> = process.env) {
  return { ...AgentEnvironment.read(env), ...readEnv(PlatformEnvironment, env) };
}
export type AgentConfig = ReturnType<typeof loadAgentConfig>;
