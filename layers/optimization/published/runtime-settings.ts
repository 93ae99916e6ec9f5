import * as z from "zod";
import { AGENT_TYPE_SPECS, AGENT_TYPES, type AgentType, concurrencyOf } from "#kernel/agent-catalog";
import { TIMEOUT_SECONDS } from "#kernel/task-vocabulary";

/** The settings document the swarm's tunable runtime settings live in. */
export const RUNTIME_SETTINGS_DOCUMENT = "runtime-settings";

const perType = (agentType: AgentType) =>
  z
    .object({
      /** Tasks one agent runs at once; never above what its container is sized for. */
      maxConcurrentTasksPerAgent: z.number().int().min(1).max(AGENT_TYPE_SPECS[agentType].maxConcurrentTasks),
      /** The first retry of a failed attempt waits up to this long, doubling per attempt (within the deployed cap). */
      retryBaseDelaySeconds: z.number().int().min(0).max(900),
      /** The timeout the swarm gives the tasks it submits to this type itself (hand-offs, reviews). */
      taskTimeoutSeconds: z.number().int().min(TIMEOUT_SECONDS.min).max(TIMEOUT_SECONDS.max),
    })
    .strict();

/**
 * The `runtime-settings` document: what the reviewers propose to tune (concurrency, backoff,
 * timeouts, fleet size), read at run time by whoever it governs — agents for their concurrency
 * and backoff, the swarm's own submitters for timeouts, the scaler, the health monitor and the
 * agent API for the fleet's size — so a change needs no deploy.
 */
export const RuntimeSettings = z
  .object({
    /** The most agents one type may run (scaler, health monitor, `PUT …/scale`). */
    maxAgentsPerType: z.number().int().min(1).max(100),
    agentTypes: z
      .object(
        Object.fromEntries(AGENT_TYPES.map((type) => [type, perType(type)])) as Record<AgentType, ReturnType<typeof perType>>,
      )
      .strict(),
  })
  .strict();
export type RuntimeSettings = z.infer<typeof RuntimeSettings>;

/** What a stage deploys with, from which its first `runtime-settings` version is made. */
export interface DeployedRuntimeSettings {
  readonly maxAgentsPerType: number;
  readonly maxConcurrentTasksPerAgent: number;
  readonly retryBaseDelaySeconds: number;
}

/** The timeout the swarm gave its own hand-offs and reviews before it was tunable. */
export const DEFAULT_SWARM_TASK_TIMEOUT_SECONDS = 60;

/**
 * The `runtime-settings` document a stage starts with.
 *
 * @example
 * runtimeSettingsOf({ maxAgentsPerType: 5, maxConcurrentTasksPerAgent: 3, retryBaseDelaySeconds: 2 })
 */
export function runtimeSettingsOf(deployed: DeployedRuntimeSettings): RuntimeSettings {
  return {
    maxAgentsPerType: deployed.maxAgentsPerType,
    agentTypes: Object.fromEntries(
      AGENT_TYPES.map((type) => [
        type,
        {
          maxConcurrentTasksPerAgent: concurrencyOf(type, deployed.maxConcurrentTasksPerAgent),
          retryBaseDelaySeconds: deployed.retryBaseDelaySeconds,
          taskTimeoutSeconds: DEFAULT_SWARM_TASK_TIMEOUT_SECONDS,
        },
      ]),
    ) as RuntimeSettings["agentTypes"],
  };
}
