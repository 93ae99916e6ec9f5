import { AGENT_TYPE_SPECS, type AgentType, type Capability } from "#kernel/agent-catalog";
import { admit } from "../domain/admission";
import type { TaskStatsStore } from "../domain/ports";
import { chooseAgentType, type SchedulingStrategy } from "../domain/scheduling";
import type { AgentTypeChooser, QueueAdmission } from "../domain/submit-task";
import { typeFiguresOf } from "../domain/task-stats";

/** Chooses among the types that offer a capability with the configured strategy, from live counters. */
export class StatsBackedChooser implements AgentTypeChooser {
  constructor(
    private readonly stats: TaskStatsStore,
    private readonly strategy: SchedulingStrategy,
    /** Agents per type, for capacity; until the registry reports them, one per type. */
    private readonly agentsOf: (type: AgentType) => number = () => 1,
  ) {}

  async choose(capability: Capability, candidates: readonly AgentType[]): Promise<AgentType> {
    if (candidates.length === 1) return candidates[0] as AgentType;
    const [rows, tick] = await Promise.all([
      this.stats.byType(),
      this.strategy === "round_robin" ? this.stats.nextTick(`rr-${capability}`) : 0,
    ]);
    const loads = candidates.map((agentType) => ({
      agentType,
      capacity: Math.max(1, this.agentsOf(agentType)) * AGENT_TYPE_SPECS[agentType].maxConcurrentTasks,
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
