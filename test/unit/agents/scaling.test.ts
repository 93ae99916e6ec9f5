import { describe, expect, it } from "vitest";
import { decideScale, type FleetSample, type ScalingLimits } from "#agents/domain/scaling";

const NOW = new Date("2026-11-23T10:30:00.000Z");
const limits: ScalingLimits = { min: 1, max: 5, targetLatencySeconds: 30, idleMinutes: 10, scaleInCooldownMinutes: 5 };
const sample = (overrides: Partial<FleetSample> = {}): FleetSample => ({
  at: NOW.toISOString(),
  agents: 1,
  cpuPercent: 20,
  memoryPercent: 40,
  errorRate: 0,
  backlog: 0,
  running: 0,
  ...overrides,
});
const minutesOf = (n: number, overrides: Partial<FleetSample> = {}) => Array.from({ length: n }, () => sample(overrides));

describe("decideScale", () => {
  it("scales out to clear the backlog within the target latency", () => {
    // 3 slots × 30 s ÷ 2 s per task = 45 tasks per agent within 30 s; 200 tasks need 5.
    const decision = decideScale(
      { desired: 1, maxConcurrentTasks: 3, avgExecutionMs: 2_000, samples: [sample({ backlog: 190, running: 10 })], now: NOW },
      limits,
    );
    expect(decision.desired).toBe(5);
    expect(decision.reasons[0]).toMatch(/backlog 190 \+ running 10 needs 5 agent/);
  });

  it("never goes past max, nor under min", () => {
    expect(
      decideScale(
        { desired: 1, maxConcurrentTasks: 3, avgExecutionMs: 2_000, samples: [sample({ backlog: 10_000 })], now: NOW },
        limits,
      ).desired,
    ).toBe(5);
    expect(
      decideScale({ desired: 1, maxConcurrentTasks: 3, avgExecutionMs: 2_000, samples: minutesOf(20), now: NOW }, limits).desired,
    ).toBe(1);
  });

  it("adds one for each seed trigger held for its window", () => {
    const input = { desired: 2, maxConcurrentTasks: 3, avgExecutionMs: 2_000, now: NOW };
    expect(decideScale({ ...input, samples: minutesOf(10, { cpuPercent: 85 }) }, limits)).toMatchObject({
      desired: 3,
      reasons: ["CPU above 80% for 10 min"],
    });
    expect(decideScale({ ...input, samples: minutesOf(9, { cpuPercent: 85 }) }, limits).reasons).not.toContain(
      "CPU above 80% for 10 min",
    );
    expect(decideScale({ ...input, samples: minutesOf(5, { memoryPercent: 95 }) }, limits).reasons).toContain(
      "memory above 90% for 5 min",
    );
    expect(decideScale({ ...input, samples: minutesOf(5, { errorRate: 0.08 }) }, limits).reasons).toContain(
      "error rate above 5% for 5 min",
    );
  });

  it("scales in one agent at a time, after a cooldown", () => {
    const input = { desired: 4, maxConcurrentTasks: 3, avgExecutionMs: 2_000, samples: [sample({ running: 1 })], now: NOW };
    expect(decideScale(input, limits).desired).toBe(3);
    expect(decideScale({ ...input, lastScaleInAt: "2026-11-23T10:27:00.000Z" }, limits)).toMatchObject({
      desired: 4,
      reasons: expect.arrayContaining(["scale-in cooling down"]),
    });
  });

  it("scales an idle type to zero when its minimum allows, and back up when work arrives", () => {
    const zeroable = { ...limits, min: 0 };
    expect(
      decideScale({ desired: 1, maxConcurrentTasks: 3, avgExecutionMs: 2_000, samples: minutesOf(10), now: NOW }, zeroable)
        .desired,
    ).toBe(0);
    expect(
      decideScale({ desired: 1, maxConcurrentTasks: 3, avgExecutionMs: 2_000, samples: minutesOf(9), now: NOW }, zeroable)
        .desired,
    ).toBe(1);
    expect(
      decideScale(
        { desired: 0, maxConcurrentTasks: 3, avgExecutionMs: undefined, samples: [sample({ backlog: 2, agents: 0 })], now: NOW },
        zeroable,
      ).desired,
    ).toBe(1);
  });
});
