import { AGENT_STATUS_CHANGED, type AgentStatusChanged } from "#kernel/bus/agent-status-changed";
import { type DomainEvent, EVENT_SOURCES } from "#kernel/bus/domain-event";
import type { Agent } from "./agent";

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
