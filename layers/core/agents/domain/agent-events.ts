import * as z from "zod";
import { type DomainEvent, EVENT_SOURCES } from "#core/shared/events";
import { AGENT_STATUS_CHANGED, type Agent, AgentStatus, Workload } from "./agent";
import { AgentType } from "./agent-types";

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

/** The event a registry change announces: a new agent, or a new status. Heartbeats alone announce nothing. */
export function agentStatusChangedEvent(
  previous: Agent | undefined,
  current: Agent,
): DomainEvent<AgentStatusChanged> | undefined {
  if (previous && previous.status === current.status) return undefined;
  return {
    source: EVENT_SOURCES.agents,
    detailType: AGENT_STATUS_CHANGED,
    detail: {
      agentId: current.agentId,
      agentType: current.agentType,
      status: current.status,
      previousStatus: previous?.status ?? null,
      heartbeatAt: current.heartbeatAt,
      workload: current.workload,
      version: current.version,
      ...(current.statusReason ? { statusReason: current.statusReason } : {}),
      ...(current.taskArn ? { taskArn: current.taskArn } : {}),
    },
  };
}
