import * as z from "zod";
import { AGENT_TYPE_SPECS, AGENT_TYPES, AgentType } from "#kernel/agent-catalog";
import { AgentStatus } from "#kernel/bus/agent-status-changed";
import { countAgents } from "../published/fleet-figures";
import { Agent } from "./agent";
import type { AgentRegistry, FleetController } from "./ports";

export const FleetStatusView = z
  .object({
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
  })
  .meta({ id: "FleetStatusView" });
export type FleetStatusView = z.infer<typeof FleetStatusView>;

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
