import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { AGENT_TYPES, type AgentType } from "#kernel/agent-catalog";
import { AGENT_STATUSES, type AgentStatus, type Workload } from "#kernel/bus/agent-status-changed";
import { DynamoDbAgentRegistry } from "../adapters/dynamodb-agent-registry";

/** An agent as other contexts see it: its type, its status and what it last reported. */
export interface AgentFigures {
  readonly agentType: AgentType;
  readonly status: AgentStatus;
  readonly workload: Workload;
}

/** What other contexts may read of the fleet. */
export interface FleetFigures {
  /** Every agent that has not stopped. */
  agents(): Promise<AgentFigures[]>;
}

/**
 * Fleet figures read from the agent registry.
 *
 * @example
 * const live = (await fleetFigures(db, env.AGENTS_TABLE).agents()).filter(isLive);
 */
export function fleetFigures(db: DynamoDBDocumentClient, agentsTable: string): FleetFigures {
  const registry = new DynamoDbAgentRegistry(db, agentsTable);
  return { agents: () => registry.list({ includeStopped: false }) };
}

/** Agents that take work: healthy or degraded. */
export const isLive = (agent: Pick<AgentFigures, "status">): boolean => agent.status === "healthy" || agent.status === "degraded";

/**
 * Agents of each type by status, every type and status present (zero when none). The fleet
 * status view and the metrics snapshot count the same way.
 *
 * @example
 * countAgents(await figures.agents())["data-quality"].healthy; // 2
 */
export function countAgents(
  agents: readonly Pick<AgentFigures, "agentType" | "status">[],
): Record<AgentType, Record<AgentStatus, number>> {
  const counts = Object.fromEntries(
    AGENT_TYPES.map((type) => [type, Object.fromEntries(AGENT_STATUSES.map((s) => [s, 0])) as Record<AgentStatus, number>]),
  ) as Record<AgentType, Record<AgentStatus, number>>;
  for (const agent of agents) counts[agent.agentType][agent.status]++;
  return counts;
}
