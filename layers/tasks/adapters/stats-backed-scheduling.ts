import { AGENT_TYPE_SPECS, type AgentType, type Capability } from "#kernel/agent-catalog";
import { admit } from "../domain/admission";
import type { MinuteCounters, TaskStatsStore, TypeCounters } from "../domain/ports";
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
    const [row, lastMinute] = await Promise.all([this.stats.ofType(agentType), this.lastMinute()]);
    admit(agentType, typeFiguresOf(row).queued, this.maxQueueDepth, completedOf(lastMinute, agentType));
  }

  /**
   * For one batch: each type's counters are read once, and each task admitted counts as queued
   * for the tasks after it, so a batch cannot fill a queue past its limit on one reading.
   */
  forBatch(): QueueAdmission {
    const rows = new Map<AgentType, Promise<TypeCounters>>();
    const admitted = new Map<AgentType, number>();
    // The minute row holds every type's completions: one read for the whole batch.
    let lastMinute: Promise<MinuteCounters | undefined> | undefined;
    return {
      admit: async (agentType) => {
        if (!rows.has(agentType)) rows.set(agentType, this.stats.ofType(agentType));
        lastMinute ??= this.lastMinute();
        const [row, minute] = await Promise.all([rows.get(agentType), lastMinute]);
        const ahead = admitted.get(agentType) ?? 0;
        admit(agentType, typeFiguresOf(row).queued + ahead, this.maxQueueDepth, completedOf(minute, agentType));
        admitted.set(agentType, ahead + 1);
      },
    };
  }

  private async lastMinute(): Promise<MinuteCounters | undefined> {
    return (await this.stats.lastMinutes(1, new Date()))[0];
  }
}

const completedOf = (minute: MinuteCounters | undefined, agentType: AgentType): number => minute?.[`completed_${agentType}`] ?? 0;
