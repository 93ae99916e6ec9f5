import { describe, expect, it } from "vitest";
import { type AgentTypeLoad, chooseAgentType, scoresOf } from "#tasks/domain/scheduling";

const load = (agentType: AgentTypeLoad["agentType"], overrides: Partial<AgentTypeLoad> = {}): AgentTypeLoad => ({
  agentType,
  queued: 0,
  running: 0,
  capacity: 3,
  successRate: 1,
  avgExecutionMs: undefined,
  ...overrides,
});

describe("chooseAgentType", () => {
  const busy = load("keyword-precision", { queued: 9, running: 3, capacity: 3, successRate: 1, avgExecutionMs: 1_000 });
  const idleButFlaky = load("data-quality", { queued: 0, running: 0, capacity: 3, successRate: 0.2, avgExecutionMs: 1_000 });

  it("round_robin takes turns by the shared tick", () => {
    expect([0, 1, 2, 3].map((tick) => chooseAgentType("round_robin", [busy, idleButFlaky], tick))).toEqual([
      "keyword-precision",
      "data-quality",
      "keyword-precision",
      "data-quality",
    ]);
  });

  it("least_loaded picks the lowest load for its capacity", () => {
    expect(chooseAgentType("least_loaded", [busy, idleButFlaky], 0)).toBe("data-quality");
  });

  it("performance_based picks the best success rate for its speed, whatever the load", () => {
    expect(chooseAgentType("performance_based", [busy, idleButFlaky], 0)).toBe("keyword-precision");
    const slow = load("api-reliability", { successRate: 1, avgExecutionMs: 240_000 });
    const fast = load("performance-optimizer", { successRate: 1, avgExecutionMs: 2_000 });
    expect(chooseAgentType("performance_based", [slow, fast], 0)).toBe("performance-optimizer");
  });

  it("adaptive weighs utilization, performance, success rate and time (seed 003)", () => {
    const scores = scoresOf(
      load("data-quality", { queued: 1, running: 2, capacity: 6, successRate: 0.8, avgExecutionMs: 60_000 }),
    );
    expect(scores.utilizationScore).toBeCloseTo(0.5);
    expect(scores.timeScore).toBeCloseTo(0.8);
    expect(scores.performanceScore).toBeCloseTo(0.64);
    expect(scores.adaptiveScore).toBeCloseTo(0.3 * 0.5 + 0.3 * 0.64 + 0.2 * 0.8 + 0.2 * 0.8);
    // A saturated but perfect type loses to an idle, decent one.
    expect(chooseAgentType("adaptive", [busy, load("data-quality", { successRate: 0.9, avgExecutionMs: 1_000 })], 0)).toBe(
      "data-quality",
    );
  });

  it("breaks ties by load, then by catalog order", () => {
    expect(chooseAgentType("performance_based", [load("keyword-precision", { queued: 2 }), load("data-quality")], 0)).toBe(
      "data-quality",
    );
    expect(chooseAgentType("least_loaded", [load("keyword-precision"), load("data-quality")], 0)).toBe("keyword-precision");
  });
});
