import { AGENT_TYPE_SPECS, type AgentType, type Capability } from "#kernel/agent-catalog";
import { admit } from "../domain/admission";
import type { TaskStatsStore } from "../domain/ports";
import { chooseAgentType, type SchedulingStrategy } from "../domain/scheduling";
import type { AgentTypeChooser, QueueAdmission } from "../domain/submit-task";
import { typeFiguresOf } from "../domain/task-stats";

/**
 * Chooses among the types that offer a capability with the configured strategy, from the task
 * counters. A type's capacity is what one of its agents runs at once, not its live agents times
 * that: the submit functions deploy before the fleet's registry (the agents stack depends on the
 * tasks stack, so the tasks stack cannot read the agents table without a dependency cycle), and
 * the scaler sizes each type to its backlog, so queued and running work per agent's worth of
 * slots is the load signal that stays comparable between types (ADR 0013).
 */
export class StatsBackedChooser implements AgentTypeChooser {
  constructor(
    private readonly stats: TaskStatsStore,
    private readonly strategy: SchedulingStrategy,
  ) {}

  async choose(capability: Capability, candidates: readonly AgentType[]): Promise<AgentType> {
    if (candidates.length === 1) return candidates[0] as AgentType;
    const [rows, tick] = await Promise.all([
      this.stats.byType(),
      this.strategy === "round_robin" ? this.stats.nextTick(`rr-${capability}`) : 0,
    ]);
    const loads = candidates.map((agentType) => ({
      agentType,
      capacity: AGENT_TYPE_SPECS[agentType].maxConcurrentTasks,
      ...typeFiguresOf(rows[agentType]),
    }));
    return chooseAgentType(this.strategy, loads, tick);
  }
}

/** Backpressure from live counters: a type takes work while its queued tasks are under the limit. */
export class StatsBackedAdmission implements QueueAdmission {
  constructor(
    private readonly stats: TaskStatsStore,
    private readonly maxQueueDepth: number,
  ) {}

  async admit(agentType: AgentType): Promise<void> {
    const [row, [lastMinute]] = await Promise.all([this.stats.ofType(agentType), this.stats.lastMinutes(1, new Date())]);
    admit(agentType, typeFiguresOf(row).queued, this.maxQueueDepth, lastMinute?.[`completed_${agentType}`] ?? 0);
  }
}
