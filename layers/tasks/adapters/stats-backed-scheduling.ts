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
    const { queued, completedLastMinute } = await this.figuresOf(agentType);
    admit(agentType, queued, this.maxQueueDepth, completedLastMinute);
  }

  /**
   * For one batch: each type's counters are read once, and each task admitted counts as queued
   * for the tasks after it, so a batch cannot fill a queue past its limit on one reading.
   */
  forBatch(): QueueAdmission {
    const figures = new Map<AgentType, Promise<{ queued: number; completedLastMinute: number }>>();
    const admitted = new Map<AgentType, number>();
    return {
      admit: async (agentType) => {
        let reading = figures.get(agentType);
        if (!reading) {
          reading = this.figuresOf(agentType);
          figures.set(agentType, reading);
        }
        const { queued, completedLastMinute } = await reading;
        const ahead = admitted.get(agentType) ?? 0;
        admit(agentType, queued + ahead, this.maxQueueDepth, completedLastMinute);
        admitted.set(agentType, ahead + 1);
      },
    };
  }

  private async figuresOf(agentType: AgentType) {
    const [row, [lastMinute]] = await Promise.all([this.stats.ofType(agentType), this.stats.lastMinutes(1, new Date())]);
    return { queued: typeFiguresOf(row).queued, completedLastMinute: lastMinute?.[`completed_${agentType}`] ?? 0 };
  }
}
