import type { TaskFigures } from "#tasks/published/task-figures";
import { AGENT_TYPE_SPECS, AGENT_TYPES, type AgentType } from "#kernel/agent-catalog";
import type { AgentRegistry, FleetController, FleetLedger } from "./ports";
import { decideScale, type FleetSample, type ScalingLimits } from "./scaling";

/** Samples a type keeps at least: enough for the longest seed trigger window (10 minutes) and then some. */
const MIN_SAMPLES_KEPT = 15;

export interface ScaleDeps {
  readonly registry: AgentRegistry;
  readonly fleet: FleetController;
  readonly ledger: FleetLedger;
  readonly tasks: TaskFigures;
  /** Limits for every type; each type's minimum comes from its spec. */
  readonly limits: Omit<ScalingLimits, "min">;
  /** Tasks one agent of a type runs at once (the runtime settings' `maxConcurrentTasksPerAgent`). */
  readonly concurrency: (agentType: AgentType) => number;
  readonly now: Date;
}

/**
 * One pass of the fleet scaler: sample every type (agents, their CPU, memory and error rate,
 * the backlog and running tasks), decide its size, and set it. A manual size set through the
 * API holds until its override expires.
 */
export async function scaleFleet(
  deps: ScaleDeps,
): Promise<{ agentType: AgentType; from: number; to: number; reasons: readonly string[] }[]> {
  const [agents, services, counters] = await Promise.all([deps.registry.list(), deps.fleet.services(), deps.tasks.byType()]);
  const changes = [];
  for (const agentType of AGENT_TYPES) {
    const live = agents.filter((a) => a.agentType === agentType && (a.status === "healthy" || a.status === "degraded"));
    const load = counters[agentType];
    const mean = (pick: (w: (typeof live)[number]["workload"]) => number) =>
      live.length === 0 ? 0 : live.reduce((sum, a) => sum + pick(a.workload), 0) / live.length;
    const sample: FleetSample = {
      at: deps.now.toISOString(),
      agents: live.length,
      cpuPercent: mean((w) => w.cpuPercent),
      memoryPercent: mean((w) => w.memoryPercent),
      errorRate: mean((w) => w.errorRate),
      backlog: load.queued,
      running: load.running,
    };
    const record = await deps.ledger.scaling(agentType);
    // Enough for the idle window too, or a type would never be idle long enough to scale to zero.
    const samples = [sample, ...record.samples].slice(0, Math.max(MIN_SAMPLES_KEPT, deps.limits.idleMinutes));
    const desired = services.find((s) => s.agentType === agentType)?.desired ?? 0;
    const manual =
      record.manualDesired !== undefined && record.manualUntil !== undefined && record.manualUntil > deps.now.toISOString();
    const decision = manual
      ? {
          desired: record.manualDesired as number,
          reasons: [`manual size ${record.manualDesired} holds until ${record.manualUntil}`],
        }
      : decideScale(
          {
            desired,
            maxConcurrentTasks: deps.concurrency(agentType),
            avgExecutionMs: load.avgExecutionMs,
            samples,
            lastScaleInAt: record.lastScaleInAt,
            now: deps.now,
          },
          { ...deps.limits, min: AGENT_TYPE_SPECS[agentType].minAgents },
        );
    if (decision.desired !== desired) {
      await deps.fleet.setDesired(agentType, decision.desired);
      changes.push({ agentType, from: desired, to: decision.desired, reasons: decision.reasons });
    }
    await deps.ledger.saveScaling(agentType, {
      ...record,
      samples,
      ...(decision.desired < desired ? { lastScaleInAt: deps.now.toISOString() } : {}),
      lastDecision: { at: deps.now.toISOString(), desired: decision.desired, reasons: decision.reasons },
    });
  }
  return changes;
}
