import type { TaskFigures } from "#tasks/published/task-figures";
import { AGENT_TYPE_SPECS, AGENT_TYPES, type AgentType } from "#kernel/agent-catalog";
import { planLedgerWrite, retryOnConflict } from "./ledger-write";
import type { AgentRegistry, FleetController, FleetLedger, ScalingRecord } from "./ports";
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
 *
 * The type's ledger row is written last, conditional on the version read. When the agent API
 * (or another scaler run) wrote it in between, the write is refused and the type is decided
 * again from the fresh row and the service's size now, so a manual size set meanwhile is kept
 * and the size the lost round set is put right.
 */
export async function scaleFleet(
  deps: ScaleDeps,
): Promise<{ agentType: AgentType; from: number; to: number; reasons: readonly string[] }[]> {
  const [agents, services, counters] = await Promise.all([deps.registry.list(), deps.fleet.services(), deps.tasks.byType()]);
  const changes: { agentType: AgentType; from: number; to: number; reasons: readonly string[] }[] = [];
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
    await retryOnConflict(async (attempt) => {
      const read = await deps.ledger.scaling(agentType);
      const record = read.value;
      // Enough for the idle window too, or a type would never be idle long enough to scale to zero.
      const samples = [sample, ...record.samples].slice(0, Math.max(MIN_SAMPLES_KEPT, deps.limits.idleMinutes));
      // A retry follows a lost race, after which the service's size may have changed too.
      const desired =
        attempt === 1
          ? (services.find((s) => s.agentType === agentType)?.desired ?? 0)
          : (await deps.fleet.service(agentType)).desired;
      const decision = decide(deps, agentType, record, samples, desired, load.avgExecutionMs);
      if (decision.desired !== desired) {
        await deps.fleet.setDesired(agentType, decision.desired);
        changes.push({ agentType, from: desired, to: decision.desired, reasons: decision.reasons });
      }
      await deps.ledger.saveScaling(
        agentType,
        planLedgerWrite(read, {
          ...record,
          samples,
          ...(decision.desired < desired ? { lastScaleInAt: deps.now.toISOString() } : {}),
          lastDecision: { at: deps.now.toISOString(), desired: decision.desired, reasons: decision.reasons },
        }),
      );
    });
  }
  return changes;
}

/** The type's size: the manual one while it holds, else what the scaling rules call for. */
function decide(
  deps: ScaleDeps,
  agentType: AgentType,
  record: ScalingRecord,
  samples: readonly FleetSample[],
  desired: number,
  avgExecutionMs: number | undefined,
): { desired: number; reasons: readonly string[] } {
  if (record.manualDesired !== undefined && record.manualUntil !== undefined && record.manualUntil > deps.now.toISOString()) {
    return { desired: record.manualDesired, reasons: [`manual size ${record.manualDesired} holds until ${record.manualUntil}`] };
  }
  return decideScale(
    {
      desired,
      maxConcurrentTasks: deps.concurrency(agentType),
      avgExecutionMs,
      samples,
      lastScaleInAt: record.lastScaleInAt,
      now: deps.now,
    },
    { ...deps.limits, min: AGENT_TYPE_SPECS[agentType].minAgents },
  );
}
