import type { Agent } from "./agent";
import type { AgentStatus } from "#kernel/bus/agent-status-changed";

/**
 * When an agent counts as degraded or unhealthy. Heartbeat age is measured in heartbeat
 * intervals, so the same rule holds at 5-second local and 30-second production cadences.
 */
export const HEALTH_THRESHOLDS = {
  /** One and a half missed intervals: late. */
  degradedAfterIntervals: 1.5,
  /** Three missed intervals: the claim on its tasks has lapsed too (LEASE_HEARTBEATS). */
  unhealthyAfterIntervals: 3,
  degradedErrorRate: 0.2,
  unhealthyErrorRate: 0.5,
  degradedCpuPercent: 95,
  degradedMemoryPercent: 95,
} as const;

export interface HealthVerdict {
  readonly status: Extract<AgentStatus, "healthy" | "degraded" | "unhealthy">;
  readonly reason: string;
}

/**
 * Healthy, degraded or unhealthy, from how long ago the agent last spoke and how its work is
 * going. Stopped and stopping agents are not judged.
 *
 * @example
 * classifyHealth(agent, new Date()) // → { status: "unhealthy", reason: "no heartbeat for 16s (3 intervals)" }
 */
export function classifyHealth(agent: Agent, now: Date): HealthVerdict {
  const ageSeconds = Math.max(0, (now.getTime() - Date.parse(agent.heartbeatAt)) / 1_000);
  const intervals = ageSeconds / agent.heartbeatIntervalSeconds;
  const silence = `no heartbeat for ${Math.round(ageSeconds)}s (${intervals.toFixed(1)} intervals)`;
  if (intervals >= HEALTH_THRESHOLDS.unhealthyAfterIntervals) return { status: "unhealthy", reason: silence };
  const { errorRate, cpuPercent, memoryPercent } = agent.workload;
  if (errorRate >= HEALTH_THRESHOLDS.unhealthyErrorRate) return { status: "unhealthy", reason: `error rate ${pct(errorRate)}` };
  if (intervals >= HEALTH_THRESHOLDS.degradedAfterIntervals) return { status: "degraded", reason: silence };
  if (errorRate >= HEALTH_THRESHOLDS.degradedErrorRate) return { status: "degraded", reason: `error rate ${pct(errorRate)}` };
  if (cpuPercent >= HEALTH_THRESHOLDS.degradedCpuPercent)
    return { status: "degraded", reason: `CPU at ${Math.round(cpuPercent)}%` };
  if (memoryPercent >= HEALTH_THRESHOLDS.degradedMemoryPercent)
    return { status: "degraded", reason: `memory at ${Math.round(memoryPercent)}%` };
  return { status: "healthy", reason: "heartbeats on time, errors low" };
}

const pct = (rate: number) => `${Math.round(rate * 100)}%`;
