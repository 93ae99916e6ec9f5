import { describe, expect, it } from "vitest";
import { type AgentType, agentTypesServing } from "#kernel/agent-catalog";
import {
  type CurrentSettings,
  REVIEW_FOCUS,
  reviewMetrics,
  type TypeMetrics,
  typeMetricsOf,
} from "#optimization/domain/metrics-review";
import { countKey, typeFiguresOf } from "#tasks/domain/task-stats";
import { Recommendation } from "#kernel/bus/optimization";
import { DEFAULT_REVIEW_THRESHOLDS } from "#optimization/domain/review-thresholds";
import { runtimeSettingsOf } from "#optimization/published/runtime-settings";

const now = new Date("2026-11-23T10:05:00.000Z");
const MIN_FINISHED_FOR_ADVICE = DEFAULT_REVIEW_THRESHOLDS.minFinishedForAdvice;
const reviewer = { agentId: "ar-1", agentType: "api-reliability" } as const;
const settings: CurrentSettings = {
  runtime: runtimeSettingsOf({ maxAgentsPerType: 5, maxConcurrentTasksPerAgent: 3, retryBaseDelaySeconds: 2 }),
  runtimeVersion: "v-runtime-1",
  thresholds: DEFAULT_REVIEW_THRESHOLDS,
  targetLatencySeconds: 60,
};

/** `settings` with one type's runtime settings changed. */
const tuned = (
  overrides: Partial<CurrentSettings["runtime"]["agentTypes"]["keyword-precision"]>,
  agentType: AgentType = "keyword-precision",
): CurrentSettings => ({
  ...settings,
  runtime: {
    ...settings.runtime,
    agentTypes: { ...settings.runtime.agentTypes, [agentType]: { ...settings.runtime.agentTypes[agentType], ...overrides } },
  },
});

/** A quiet, healthy type: 100 tasks completed, nothing waiting, agents cool. */
const metrics = (overrides: Partial<TypeMetrics> = {}): TypeMetrics => ({
  agentType: "keyword-precision",
  queued: 0,
  running: 0,
  completed: 100,
  unsuccessful: 0,
  deadLettered: 0,
  timedOut: 0,
  avgTimeoutSecondsOfTimedOut: undefined,
  avgExecutionMs: 2_000,
  avgQueueMs: 500,
  agents: 2,
  cpuPercent: 40,
  memoryPercent: 50,
  ...overrides,
});

const reliability = (m: TypeMetrics[], s: CurrentSettings = settings, at = now) =>
  reviewMetrics("reliability", m, s, reviewer, at);
const performance = (m: TypeMetrics[], s: CurrentSettings = settings, at = now) =>
  reviewMetrics("performance", m, s, reviewer, at);

describe("reviewMetrics: reliability", () => {
  it("proposes longer retry backoff for a type failing more than 10% of its tasks", () => {
    const [proposal, ...rest] = reliability([metrics({ completed: 80, unsuccessful: 20 })]);

    expect(rest).toEqual([]);
    expect(proposal).toMatchObject({
      agentType: "keyword-precision",
      setting: "retryBaseDelaySeconds",
      currentValue: 2,
      proposedValue: 4,
      risk: "low",
      rationale: expect.stringContaining("fails 20%"),
      evidence: { finished: 100, unsuccessful: 20, failureRate: 0.2, deadLettered: 0 },
      confidence: 0.73,
      settingsVersion: "v-runtime-1",
      proposedBy: reviewer,
      proposedAt: now.toISOString(),
    });
    expect(Recommendation.parse(proposal)).toEqual(proposal);
  });

  it("says nothing at or below a 10% failure rate", () => {
    expect(reliability([metrics({ completed: 90, unsuccessful: 10 })])).toEqual([]);
  });

  it(`gives no reliability advice under ${MIN_FINISHED_FOR_ADVICE} finished tasks, however bad they look`, () => {
    const few = metrics({ completed: 0, unsuccessful: MIN_FINISHED_FOR_ADVICE - 1, deadLettered: 5, timedOut: 5 });
    expect(reliability([few])).toEqual([]);
    expect(reliability([{ ...few, completed: 1 }]).map((r) => r.setting)).toContain("retryBaseDelaySeconds");
  });

  it("proposes no more deliveries before dead-lettering: maxReceiveCount changes only by a deploy", () => {
    const proposals = reliability([metrics({ completed: 70, unsuccessful: 30, deadLettered: 4 })]);
    expect(proposals.map((r) => r.setting)).toEqual(["retryBaseDelaySeconds"]);
    expect(proposals[0]?.evidence).toMatchObject({ deadLettered: 4 });
  });

  it("follows the thresholds document: a stricter failure rate advises sooner", () => {
    const mild = metrics({ completed: 95, unsuccessful: 5 });
    expect(reliability([mild])).toEqual([]);
    const strict = { ...settings, thresholds: { ...DEFAULT_REVIEW_THRESHOLDS, failureRate: 0.02 } };
    expect(reliability([mild], strict).map((r) => r.setting)).toEqual(["retryBaseDelaySeconds"]);
  });

  it("proposes doubling the timeout the swarm gives the type's tasks when more than 5% of attempts time out", () => {
    const proposals = reliability([
      metrics({ completed: 100, timedOut: 6, avgTimeoutSecondsOfTimedOut: 40, avgExecutionMs: 38_500 }),
    ]);

    expect(proposals).toHaveLength(1);
    expect(proposals[0]).toMatchObject({
      setting: "taskTimeoutSeconds",
      currentValue: 60,
      proposedValue: 120,
      risk: "medium",
      rationale: expect.stringContaining("(at about 40s)"),
      evidence: { timedOut: 6, finished: 100, avgExecutionMs: 38_500 },
    });
    expect(reliability([metrics({ completed: 100, timedOut: 5, avgTimeoutSecondsOfTimedOut: 40 })])).toEqual([]);
  });

  it("never proposes a timeout beyond the longest a task may have", () => {
    const [proposal] = reliability([metrics({ timedOut: 10 })], tuned({ taskTimeoutSeconds: 3_000 }));
    expect(proposal).toMatchObject({ setting: "taskTimeoutSeconds", currentValue: 3_000, proposedValue: 3_600 });
    expect(reliability([metrics({ timedOut: 10 })], tuned({ taskTimeoutSeconds: 3_600 }))).toEqual([]);
  });

  it("reviews every type, in catalog order, whatever order the figures come in", () => {
    const failing = (agentType: AgentType) => metrics({ agentType, completed: 50, unsuccessful: 50 });
    const proposals = reliability([
      failing("data-quality"),
      failing("scraping-efficiency"),
      metrics({ agentType: "api-reliability" }),
    ]);
    expect(proposals.map((r) => r.agentType)).toEqual(["scraping-efficiency", "data-quality"]);
  });

  it("never proposes a shorter or equal retry delay as a longer backoff", () => {
    for (const retryBaseDelaySeconds of [30, 60, 120, 600]) {
      const [proposal] = reliability([metrics({ completed: 50, unsuccessful: 50 })], tuned({ retryBaseDelaySeconds }));
      expect(proposal?.proposedValue).toBeGreaterThan(retryBaseDelaySeconds);
    }
    // At SQS's 15-minute cap there is no longer backoff to propose.
    const capped = reliability([metrics({ completed: 50, unsuccessful: 50 })], tuned({ retryBaseDelaySeconds: 900 }));
    expect(capped.map((r) => r.setting)).not.toContain("retryBaseDelaySeconds");
  });
});

describe("reviewMetrics: performance", () => {
  it("proposes fewer tasks per agent for a type whose agents run hot on CPU or memory", () => {
    const hotCpu = performance([metrics({ cpuPercent: 91 })]);
    const hotMemory = performance([metrics({ agentType: "data-quality", memoryPercent: 88 })]);

    expect(hotCpu).toEqual([
      expect.objectContaining({
        agentType: "keyword-precision",
        setting: "maxConcurrentTasksPerAgent",
        currentValue: 3,
        proposedValue: 2,
        risk: "low",
        rationale: expect.stringContaining("CPU 91%"),
        evidence: { cpuPercent: 91, memoryPercent: 50, agents: 2 },
      }),
    ]);
    expect(hotMemory).toEqual([expect.objectContaining({ agentType: "data-quality", proposedValue: 2 })]);
  });

  it("does not go below one task per agent, nor judge a type without agents as hot", () => {
    expect(performance([metrics({ cpuPercent: 99 })], tuned({ maxConcurrentTasksPerAgent: 1 }))).toEqual([]);
    expect(performance([metrics({ agents: 0, cpuPercent: 99 })])).toEqual([]);
  });

  it("proposes more tasks per agent when work waits beyond the target while agents idle", () => {
    const [proposal, ...rest] = performance(
      [metrics({ queued: 40, avgQueueMs: 90_000, cpuPercent: 12 })],
      tuned({ maxConcurrentTasksPerAgent: 2 }),
    );

    expect(rest).toEqual([]);
    expect(proposal).toMatchObject({
      setting: "maxConcurrentTasksPerAgent",
      currentValue: 2,
      proposedValue: 3,
      risk: "low",
      rationale: expect.stringContaining("wait 90s on average while its agents idle at 12% CPU"),
      evidence: { avgQueueMs: 90_000, queued: 40, cpuPercent: 12 },
    });
  });

  it("proposes more agents instead when idle agents already run as many tasks as their container allows", () => {
    const proposals = performance([metrics({ queued: 40, avgQueueMs: 90_000, cpuPercent: 12 })]);
    expect(proposals.map((r) => [r.setting, r.proposedValue])).toEqual([["maxAgentsPerType", 8]]);
  });

  it("proposes more agents when work waits beyond the target and agents are busy", () => {
    const [proposal, ...rest] = performance([metrics({ queued: 40, avgQueueMs: 90_000, cpuPercent: 60 })]);

    expect(rest).toEqual([]);
    expect(proposal).toMatchObject({
      setting: "maxAgentsPerType",
      currentValue: 5,
      proposedValue: 8,
      risk: "medium",
      rationale: expect.stringContaining("beyond the 60s target"),
      evidence: { avgQueueMs: 90_000, queued: 40, agents: 2 },
    });
  });

  it("proposes more agents, not more tasks per agent, for a type with no agent to give more work", () => {
    const proposals = performance([
      metrics({ queued: 5, avgQueueMs: 120_000, agents: 0, cpuPercent: undefined, memoryPercent: undefined }),
    ]);
    expect(proposals.map((r) => r.setting)).toEqual(["maxAgentsPerType"]);
  });

  it("says nothing when waits are within the target, or nothing is queued any more", () => {
    expect(performance([metrics({ queued: 40, avgQueueMs: 60_000, cpuPercent: 12 })])).toEqual([]);
    expect(performance([metrics({ queued: 0, avgQueueMs: 90_000, cpuPercent: 12 })])).toEqual([]);
    expect(performance([metrics({ queued: 40, avgQueueMs: undefined })])).toEqual([]);
  });

  it("looks only at its own focus", () => {
    const troubled = metrics({ completed: 50, unsuccessful: 50, cpuPercent: 95 });
    expect(reliability([troubled]).map((r) => r.setting)).toEqual(["retryBaseDelaySeconds"]);
    expect(performance([troubled]).map((r) => r.setting)).toEqual(["maxConcurrentTasksPerAgent"]);
  });

  it("never proposes both fewer and more tasks per agent for one type in one review", () => {
    const proposals = performance([metrics({ queued: 40, avgQueueMs: 90_000, cpuPercent: 10, memoryPercent: 92 })]);
    const perAgent = proposals.filter((r) => r.setting === "maxConcurrentTasksPerAgent").map((r) => r.proposedValue);
    const current = settings.runtime.agentTypes["keyword-precision"].maxConcurrentTasksPerAgent;
    expect(perAgent.every((v) => v < current) || perAgent.every((v) => v > current)).toBe(true);
  });
});

describe("reviewMetrics: recommendation ids", () => {
  const failing = [metrics({ completed: 50, unsuccessful: 50, deadLettered: 3 })];

  it("are the same for the same figures within one review window", () => {
    const first = reliability(failing, settings, new Date("2026-11-23T10:00:00.000Z"));
    const again = reliability(failing, settings, new Date("2026-11-23T10:14:59.999Z"));
    expect(again.map((r) => r.recommendationId)).toEqual(first.map((r) => r.recommendationId));
    expect(new Set(first.map((r) => r.recommendationId)).size).toBe(first.length);
  });

  it("differ in the next window, and for another proposed value", () => {
    const id = (r: ReturnType<typeof reliability>) => r[0]?.recommendationId;
    const base = id(reliability(failing, settings, new Date("2026-11-23T10:14:59.999Z")));
    expect(base).toBeDefined();
    expect(id(reliability(failing, settings, new Date("2026-11-23T10:15:00.000Z")))).not.toBe(base);
    expect(id(reliability(failing, tuned({ retryBaseDelaySeconds: 4 }), new Date("2026-11-23T10:14:59.999Z")))).not.toBe(base);
  });

  it("differ between types with the same proposal", () => {
    const proposals = reliability([
      metrics({ completed: 50, unsuccessful: 50 }),
      metrics({ agentType: "data-quality", completed: 50, unsuccessful: 50 }),
    ]);
    expect(proposals).toHaveLength(2);
    expect(proposals[0]?.recommendationId).not.toBe(proposals[1]?.recommendationId);
  });

  it("follow the window length given", () => {
    const at = (iso: string) => reviewMetrics("reliability", failing, settings, reviewer, new Date(iso), 60)[0]?.recommendationId;
    expect(at("2026-11-23T10:59:00.000Z")).toBe(at("2026-11-23T10:01:00.000Z"));
    expect(at("2026-11-23T11:00:00.000Z")).not.toBe(at("2026-11-23T10:59:00.000Z"));
  });
});

describe("typeMetricsOf", () => {
  it("sums each status across priorities, and counts failed, dead-lettered and expired as unsuccessful", () => {
    const counters = {
      [countKey("critical", "queued")]: 1,
      [countKey("high", "queued")]: 2,
      [countKey("normal", "queued")]: 3,
      [countKey("low", "queued")]: 4,
      [countKey("high", "running")]: 5,
      [countKey("normal", "completed")]: 60,
      [countKey("low", "completed")]: 40,
      [countKey("critical", "failed")]: 7,
      [countKey("normal", "dead_lettered")]: 2,
      [countKey("low", "dead_lettered")]: 1,
      [countKey("high", "expired")]: 4,
      [countKey("normal", "timed_out")]: 1,
      [countKey("normal", "cancelled")]: 9,
      timeouts: 3,
      timedOutTimeoutSecondsSum: 90,
    };

    expect(typeMetricsOf("data-quality", typeFiguresOf(counters), [])).toMatchObject({
      agentType: "data-quality",
      queued: 10,
      running: 5,
      completed: 100,
      unsuccessful: 14,
      deadLettered: 3,
      timedOut: 3,
      avgTimeoutSecondsOfTimedOut: 30,
    });
  });

  it("ignores counters that went negative, and keys it does not know", () => {
    const counters = { [countKey("high", "queued")]: -2, [countKey("low", "queued")]: 5, n_urgent_queued: 50, queued: 99 };
    expect(typeMetricsOf("data-quality", typeFiguresOf(counters), []).queued).toBe(5);
  });

  it("means queue and execution time over their counts, undefined without any", () => {
    const counters = { queueTimeSumMs: 9_000, queueTimeCount: 3, executionTimeSumMs: 10_000, executionTimeCount: 4 };
    expect(typeMetricsOf("data-quality", typeFiguresOf(counters), [])).toMatchObject({
      avgQueueMs: 3_000,
      avgExecutionMs: 2_500,
    });
    expect(typeMetricsOf("data-quality", typeFiguresOf({ queueTimeSumMs: 5 }), [])).toMatchObject({
      avgQueueMs: undefined,
      avgExecutionMs: undefined,
    });
  });

  it("means CPU and memory over the agents given, undefined without agents", () => {
    const agents = [
      { cpuPercent: 20, memoryPercent: 40 },
      { cpuPercent: 60, memoryPercent: 80 },
      { cpuPercent: 10, memoryPercent: 30 },
    ];
    expect(typeMetricsOf("data-quality", typeFiguresOf({}), agents)).toMatchObject({
      agents: 3,
      cpuPercent: 30,
      memoryPercent: 50,
    });
    expect(typeMetricsOf("data-quality", typeFiguresOf(undefined), [])).toEqual({
      agentType: "data-quality",
      queued: 0,
      running: 0,
      completed: 0,
      unsuccessful: 0,
      deadLettered: 0,
      timedOut: 0,
      avgTimeoutSecondsOfTimedOut: undefined,
      avgExecutionMs: undefined,
      avgQueueMs: undefined,
      agents: 0,
      cpuPercent: undefined,
      memoryPercent: undefined,
    });
  });

  it("feeds a review: a type failing 20% of its tasks across priorities gets retry advice", () => {
    const counters = {
      [countKey("high", "completed")]: 40,
      [countKey("normal", "completed")]: 40,
      [countKey("high", "failed")]: 10,
      [countKey("low", "expired")]: 10,
    };
    const proposals = reliability([
      typeMetricsOf("scraping-efficiency", typeFiguresOf(counters), [{ cpuPercent: 10, memoryPercent: 10 }]),
    ]);
    expect(proposals).toEqual([expect.objectContaining({ agentType: "scraping-efficiency", setting: "retryBaseDelaySeconds" })]);
  });
});

describe("the reviewers", () => {
  it("are exactly the agent types the catalog says serve metrics.review, each with a focus", () => {
    expect(Object.keys(REVIEW_FOCUS).sort()).toEqual(agentTypesServing("metrics.review").sort());
  });
});
