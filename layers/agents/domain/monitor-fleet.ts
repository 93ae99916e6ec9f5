import { AGENT_TYPES, type AgentType } from "#kernel/agent-catalog";
import { classifyHealth } from "./health";
import { planLedgerWrite, retryOnConflict } from "./ledger-write";
import type { AgentRegistry, FleetController, FleetLedger } from "./ports";
import { decideRecovery, type RecoveryAction } from "./recovery-policy";
import { type DomainEvent, type EventPublisher, EVENT_SOURCES } from "#kernel/bus/domain-event";
import { SYSTEM_ALERT, type SystemAlert } from "#kernel/bus/system-alert";

export interface MonitorDeps {
  readonly registry: AgentRegistry;
  readonly fleet: FleetController;
  readonly ledger: FleetLedger;
  readonly publisher: EventPublisher;
  readonly now: Date;
  readonly maxAgentsPerType: number;
}

export interface MonitorReport {
  readonly checked: number;
  readonly statusChanges: number;
  readonly actions: { agentType: AgentType; action: RecoveryAction; agentId?: string; reason: string }[];
}

const SEVERITY: Record<RecoveryAction, SystemAlert["severity"]> = {
  RESTART: "warning",
  RECREATE: "warning",
  SCALE_UP: "info",
  FAILOVER: "critical",
  ALERT_ONLY: "warning",
};

/**
 * One pass of the health monitor: judge every running agent, record what changed, decide per
 * agent type what the recovery policy calls for, carry it out through the orchestrator, and
 * record and alert every action. An agent ECS does not manage (no task) cannot be restarted;
 * once unhealthy it is marked stopped instead.
 */
export async function monitorFleet(deps: MonitorDeps): Promise<MonitorReport> {
  const { registry, fleet, ledger, now } = deps;
  const agents = await registry.list();
  const services = new Map((await fleet.services()).map((s) => [s.agentType, s]));
  let statusChanges = 0;
  const actions: MonitorReport["actions"] = [];
  const alerts: DomainEvent<SystemAlert>[] = [];

  for (const agentType of AGENT_TYPES) {
    const judged = agents
      .filter((agent) => agent.agentType === agentType && agent.status !== "stopping")
      .map((agent) => ({ agent, verdict: classifyHealth(agent, now) }));
    for (const { agent, verdict } of judged) {
      if (verdict.status !== agent.status || verdict.reason !== agent.statusReason) {
        if (verdict.status !== agent.status) statusChanges++;
        if (!agent.taskArn && verdict.status === "unhealthy") {
          await registry.setStatus(
            agent.agentId,
            "stopped",
            `${verdict.reason}; not run by the orchestrator, so not restarted`,
            now,
          );
        } else {
          await registry.setStatus(agent.agentId, verdict.status, verdict.reason, now);
        }
      }
    }
    const managed = judged.filter(({ agent }) => agent.taskArn);
    const service = services.get(agentType);
    // The ledger is written before anything is done: of two monitor runs that read the same row,
    // only the one whose write lands acts; the other decides again from the attempt it recorded.
    const decision = await retryOnConflict(async () => {
      const read = await ledger.recovery(agentType);
      const decided = decideRecovery(
        { agentType, agents: managed, desiredCount: service?.desired ?? 0, maxAgents: deps.maxAgentsPerType },
        read.value,
        now,
      );
      if (decided.ledger !== read.value) await ledger.saveRecovery(planLedgerWrite(read, decided.ledger));
      return decided;
    });
    if (decision.action === "none") continue;

    const target = managed.find(({ agent }) => agent.agentId === decision.agentId)?.agent;
    const desired = service?.desired ?? 0;
    switch (decision.action) {
      case "RESTART":
        if (target?.taskArn) await fleet.stopTask(target.taskArn, `health monitor: ${decision.reason}`);
        break;
      case "FAILOVER":
        await fleet.setDesired(agentType, Math.min(deps.maxAgentsPerType, desired + 1));
        if (target?.taskArn) await fleet.stopTask(target.taskArn, `health monitor failover: ${decision.reason}`);
        break;
      case "RECREATE":
        await fleet.redeploy(agentType);
        break;
      case "SCALE_UP":
        await fleet.setDesired(agentType, Math.min(deps.maxAgentsPerType, desired + 1));
        break;
      case "ALERT_ONLY":
        break;
    }
    if (target && (decision.action === "RESTART" || decision.action === "FAILOVER")) {
      await registry.setStatus(target.agentId, "stopped", `stopped by the health monitor (${decision.action})`, now);
    }
    actions.push({
      agentType,
      action: decision.action,
      reason: decision.reason,
      ...(decision.agentId ? { agentId: decision.agentId } : {}),
    });
    alerts.push({
      source: EVENT_SOURCES.agents,
      detailType: SYSTEM_ALERT,
      detail: {
        severity: SEVERITY[decision.action],
        source: "agents",
        title: `${decision.action} on ${agentType}`,
        message: decision.reason,
        resource: {
          agentType,
          action: decision.action,
          attempt: String(decision.ledger.attempts),
          ...(decision.agentId ? { agentId: decision.agentId } : {}),
        },
        raisedAt: now.toISOString(),
      },
    });
  }
  if (alerts.length > 0) await deps.publisher.publish(alerts);
  return { checked: agents.length, statusChanges, actions };
}
