import * as z from "zod";
import { Agent, AGENT_STATUSES, AgentStatus } from "./agent";
import { AGENT_TYPE_SPECS, AGENT_TYPES, AgentType } from "./agent-types";
import type { AgentRegistry, FleetController } from "./ports";

export const FleetStatusView = z.object({
  generatedAt: z.iso.datetime(),
  types: z.array(
    z.object({
      agentType: AgentType,
      capabilities: z.array(z.string()),
      /** What the orchestrator was asked for, and what it runs. */
      desired: z.number().int(),
      running: z.number().int(),
      /** Registered agents by status. */
      agents: z.record(AgentStatus, z.number().int()),
    }),
  ),
  agents: z.array(Agent),
});
export type FleetStatusView = z.infer<typeof FleetStatusView>;

/**
 * Agents of each type by status, every type and status present (zero when none). The fleet
 * status view and the metrics snapshot count the same way.
 *
 * @example
 * countAgents(await registry.list())["data-quality"].healthy; // 2
 */
export function countAgents(agents: readonly Agent[]): Record<AgentType, Record<AgentStatus, number>> {
  const counts = Object.fromEntries(
    AGENT_TYPES.map((type) => [type, Object.fromEntries(AGENT_STATUSES.map((s) => [s, 0])) as Record<AgentStatus, number>]),
  ) as Record<AgentType, Record<AgentStatus, number>>;
  for (const agent of agents) counts[agent.agentType][agent.status]++;
  return counts;
}

/** The query of `GET /api/agents/status`: stopped agents are left out unless asked for. */
export const FleetStatusQuery = z
  .object({
    includeStopped: z
      .enum(["true", "false"])
      .default("false")
      .transform((v) => v === "true"),
  })
  .strict();

/** `GET /api/agents/status`: every type's size and every agent's state. */
export async function fleetStatus(deps: {
  registry: AgentRegistry;
  fleet: FleetController;
  now: Date;
  includeStopped: boolean;
}): Promise<FleetStatusView> {
  const [agents, services] = await Promise.all([
    deps.registry.list({ includeStopped: deps.includeStopped }),
    deps.fleet.services(),
  ]);
  const counts = countAgents(agents);
  return {
    generatedAt: deps.now.toISOString(),
    types: AGENT_TYPES.map((agentType) => {
      const service = services.find((s) => s.agentType === agentType);
      return {
        agentType,
        capabilities: [...AGENT_TYPE_SPECS[agentType].capabilities],
        desired: service?.desired ?? 0,
        running: service?.running ?? 0,
        agents: counts[agentType],
      };
    }),
    agents,
  };
}
