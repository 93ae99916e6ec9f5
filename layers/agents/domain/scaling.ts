import * as z from "zod";

/** Seed 001's scaling triggers, each a threshold held for a window. */
export const SCALING_TRIGGERS = {
  cpu: { abovePercent: 80, forMinutes: 10 },
  memory: { abovePercent: 90, forMinutes: 5 },
  errorRate: { above: 0.05, forMinutes: 5 },
} as const;

/** One minute of a type's fleet, as the scaler records it. */
export const FleetSample = z.object({
  at: z.iso.datetime(),
  agents: z.number().int().min(0),
  cpuPercent: z.number().min(0),
  memoryPercent: z.number().min(0),
  errorRate: z.number().min(0).max(1),
  backlog: z.number().int().min(0),
  running: z.number().int().min(0),
});
export type FleetSample = z.infer<typeof FleetSample>;

export interface ScalingLimits {
  readonly min: number;
  readonly max: number;
  /** Seconds a queued task should wait at most: the backlog a fleet must clear in that time. */
  readonly targetLatencySeconds: number;
  /** Minutes without any work before a type with `min` 0 scales to zero. */
  readonly idleMinutes: number;
  /** Minutes between two scale-ins (scale-out is never held back). */
  readonly scaleInCooldownMinutes: number;
}

export interface ScalingInput {
  readonly desired: number;
  readonly maxConcurrentTasks: number;
  /** Mean execution time of the type's tasks; undefined without history. */
  readonly avgExecutionMs: number | undefined;
  /** Newest first, one per minute. */
  readonly samples: readonly FleetSample[];
  readonly lastScaleInAt?: string;
  readonly now: Date;
}

export interface ScalingDecision {
  readonly desired: number;
  readonly reasons: readonly string[];
}

/** Without history, assume a task takes this long. */
const DEFAULT_EXECUTION_MS = 10_000;

const held = (samples: readonly FleetSample[], minutes: number, above: (s: FleetSample) => boolean) =>
  samples.length >= minutes && samples.slice(0, minutes).every(above);

/**
 * How many agents a type should run. Backlog per running agent sets the base: one agent clears
 * `maxConcurrentTasks × targetLatency ÷ avgExecution` tasks within the target latency. Seed 001's
 * triggers (CPU > 80% for 10 min, memory > 90% for 5 min, error rate > 5% for 5 min) each add
 * one. Scale-in goes one agent at a time after a cooldown; an idle type with `min` 0 goes to
 * zero, and comes back at once when work arrives. Always within [min, max].
 *
 * @example
 * decideScale({ desired: 1, maxConcurrentTasks: 3, avgExecutionMs: 2_000, samples, now }, limits)
 */
export function decideScale(input: ScalingInput, limits: ScalingLimits): ScalingDecision {
  const latest = input.samples[0];
  const reasons: string[] = [];
  const clamp = (n: number) => Math.min(limits.max, Math.max(limits.min, n));
  if (!latest) return { desired: clamp(input.desired), reasons: ["no samples yet: keep the fleet"] };

  const perAgent = Math.max(
    1,
    (input.maxConcurrentTasks * limits.targetLatencySeconds * 1_000) / (input.avgExecutionMs ?? DEFAULT_EXECUTION_MS),
  );
  const work = latest.backlog + latest.running;
  let wanted = Math.ceil(work / perAgent);
  if (work > 0)
    reasons.push(
      `backlog ${latest.backlog} + running ${latest.running} needs ${wanted} agent(s) at ${Math.floor(perAgent)} tasks each within ${limits.targetLatencySeconds}s`,
    );

  const triggers = [
    held(input.samples, SCALING_TRIGGERS.cpu.forMinutes, (s) => s.cpuPercent > SCALING_TRIGGERS.cpu.abovePercent) &&
      `CPU above ${SCALING_TRIGGERS.cpu.abovePercent}% for ${SCALING_TRIGGERS.cpu.forMinutes} min`,
    held(input.samples, SCALING_TRIGGERS.memory.forMinutes, (s) => s.memoryPercent > SCALING_TRIGGERS.memory.abovePercent) &&
      `memory above ${SCALING_TRIGGERS.memory.abovePercent}% for ${SCALING_TRIGGERS.memory.forMinutes} min`,
    held(input.samples, SCALING_TRIGGERS.errorRate.forMinutes, (s) => s.errorRate > SCALING_TRIGGERS.errorRate.above) &&
      `error rate above ${SCALING_TRIGGERS.errorRate.above * 100}% for ${SCALING_TRIGGERS.errorRate.forMinutes} min`,
  ].filter((t): t is string => typeof t === "string");
  if (triggers.length > 0) {
    wanted = Math.max(wanted, input.desired + 1);
    reasons.push(...triggers);
  }

  if (wanted > input.desired) return { desired: clamp(wanted), reasons };

  const idle = held(input.samples, limits.idleMinutes, (s) => s.backlog === 0 && s.running === 0);
  if (idle && limits.min === 0 && input.desired > 0)
    return { desired: 0, reasons: [`idle for ${limits.idleMinutes} min: scale to zero`] };
  // Keep one agent while there is work, or until an idle window has passed; otherwise what the backlog needs.
  const keepOne = work > 0 || (input.desired > 0 && !idle);
  const floor = Math.max(wanted, limits.min, keepOne ? 1 : 0);
  if (floor < input.desired) {
    const sinceLastIn = input.lastScaleInAt
      ? (input.now.getTime() - Date.parse(input.lastScaleInAt)) / 60_000
      : Number.POSITIVE_INFINITY;
    if (sinceLastIn < limits.scaleInCooldownMinutes)
      return { desired: clamp(input.desired), reasons: [...reasons, "scale-in cooling down"] };
    return { desired: clamp(input.desired - 1), reasons: [...reasons, `fewer agents suffice (${floor}): scale in by one`] };
  }
  return { desired: clamp(input.desired), reasons: reasons.length > 0 ? reasons : ["no work and at the minimum"] };
}
