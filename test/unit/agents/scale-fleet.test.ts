import { describe, expect, it } from "vitest";
import type { Agent } from "#agents/domain/agent";
import { AGENT_TYPE_SPECS, type AgentType } from "#kernel/agent-catalog";
import { type ActionDeps, scaleAgentType } from "#agents/domain/agent-actions";
import { type ScaleDeps, scaleFleet } from "#agents/domain/scale-fleet";
import type { ScalingLimits } from "#agents/domain/scaling";
import type { TypeCounters } from "#tasks/domain/ports";
import { countKey } from "#tasks/domain/task-stats";
import { anAgent } from "../../support/agents";
import { FakeFleetController, InMemoryAgentRegistry, InMemoryFleetLedger } from "../../support/fleet";
import { InMemoryTaskStats, inMemoryTaskFigures } from "../../support/in-memory-task-stats";

const T0 = Date.parse("2026-11-23T10:00:00.000Z");
const minute = (m: number) => new Date(T0 + m * 60_000);
const limits: Omit<ScalingLimits, "min"> = { max: 5, targetLatencySeconds: 60, idleMinutes: 5, scaleInCooldownMinutes: 2 };
/** Every type at its spec minimum: the detection pipeline at one agent each, the reviewers at zero. */
const AT_MINIMUM: Record<AgentType, number> = {
  "scraping-efficiency": 1,
  "keyword-precision": 1,
  "api-reliability": 0,
  "performance-optimizer": 0,
  "data-quality": 1,
};

function setUp(
  options: {
    desired?: Partial<Record<AgentType, number>>;
    agents?: Agent[];
    counters?: Partial<Record<AgentType, TypeCounters>>;
    ledger?: InMemoryFleetLedger;
  } = {},
) {
  const registry = new InMemoryAgentRegistry(options.agents ?? []);
  const fleet = new FakeFleetController({ ...AT_MINIMUM, ...options.desired });
  const ledger = options.ledger ?? new InMemoryFleetLedger();
  const stats = new InMemoryTaskStats(options.counters ?? {});
  const deps = (now: Date, overrides: Partial<ScaleDeps> = {}): ScaleDeps => ({
    registry,
    fleet,
    ledger,
    tasks: inMemoryTaskFigures(stats),
    limits,
    concurrency: () => 3,
    now,
    ...overrides,
  });
  return { registry, fleet, ledger, stats, run: (now: Date, overrides?: Partial<ScaleDeps>) => scaleFleet(deps(now, overrides)) };
}

describe("scaleFleet", () => {
  it("leaves a quiet fleet at its spec minimums alone", async () => {
    const { fleet, run } = setUp();

    expect(await run(minute(0))).toEqual([]);
    expect(fleet.desiredChanges).toEqual([]);
  });

  it("scales a type with a backlog up, within the maximum", async () => {
    // 3 tasks at once × 60 s ÷ 10 s a task (no history yet) = 18 tasks per agent: 100 need 6, capped at 5.
    const { fleet, run } = setUp({
      counters: { "keyword-precision": { [countKey("high", "queued")]: 60, [countKey("low", "queued")]: 40 } },
    });

    const changes = await run(minute(0));

    expect(changes).toEqual([
      {
        agentType: "keyword-precision",
        from: 1,
        to: 5,
        reasons: [expect.stringMatching(/^backlog 100 \+ running 0 needs 6 agent/)],
      },
    ]);
    expect(fleet.desiredOf("keyword-precision")).toBe(5);
    expect(fleet.desiredChanges).toEqual([{ agentType: "keyword-precision", desired: 5 }]);
  });

  it("sizes the backlog by the type's mean execution time", async () => {
    // 60 s a task: an agent clears 3 within the 60 s target, so 10 waiting need 4.
    const { fleet, run } = setUp({
      counters: {
        "data-quality": { [countKey("normal", "queued")]: 10, executionTimeSumMs: 600_000, executionTimeCount: 10 },
      },
    });

    await run(minute(0));

    expect(fleet.desiredOf("data-quality")).toBe(4);
  });

  it("keeps a manual size until manualUntil, then scales as usual", async () => {
    const { fleet, ledger, run } = setUp({ counters: { "keyword-precision": { [countKey("high", "queued")]: 100 } } });
    ledger.seedScaling("keyword-precision", { samples: [], manualDesired: 2, manualUntil: minute(10).toISOString() });

    const first = await run(minute(0));
    expect(first).toEqual([
      {
        agentType: "keyword-precision",
        from: 1,
        to: 2,
        reasons: [`manual size 2 holds until ${minute(10).toISOString()}`],
      },
    ]);
    expect(await run(minute(9))).toEqual([]);
    expect(fleet.desiredOf("keyword-precision")).toBe(2);

    await run(minute(10));
    expect(fleet.desiredOf("keyword-precision")).toBe(5);
  });

  it("holds a manual size against scale-in as well", async () => {
    const { fleet, ledger, run } = setUp({ desired: { "data-quality": 3 } });
    ledger.seedScaling("data-quality", { samples: [], manualDesired: 3, manualUntil: minute(30).toISOString() });

    for (let m = 0; m < 30; m += 3) await run(minute(m));

    expect(fleet.desiredOf("data-quality")).toBe(3);
    expect(fleet.desiredChanges).toEqual([]);
  });

  it("scales a type whose spec minimum is 0 to zero after idleMinutes of idle samples; a type with minimum 1 stays at 1", async () => {
    expect(AGENT_TYPE_SPECS["api-reliability"].minAgents).toBe(0);
    expect(AGENT_TYPE_SPECS["keyword-precision"].minAgents).toBe(1);
    const { fleet, run } = setUp({ desired: { "api-reliability": 1, "keyword-precision": 2 } });

    const sizes = [];
    for (let m = 0; m < 8; m++) {
      await run(minute(m));
      sizes.push([fleet.desiredOf("api-reliability"), fleet.desiredOf("keyword-precision")]);
    }

    // The fifth one-minute sample completes the 5-minute idle window.
    expect(sizes.map(([reviewer]) => reviewer)).toEqual([1, 1, 1, 1, 0, 0, 0, 0]);
    expect(sizes.map(([, scorer]) => scorer)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it("brings a type at zero back as soon as work for it arrives", async () => {
    const { fleet, stats, run } = setUp();
    await run(minute(0));
    expect(fleet.desiredOf("performance-optimizer")).toBe(0);

    stats.set("performance-optimizer", { [countKey("normal", "queued")]: 1 });
    const changes = await run(minute(1));

    expect(changes).toMatchObject([{ agentType: "performance-optimizer", from: 0, to: 1 }]);
  });

  it("records one sample a run in the ledger, newest first, from the type's live agents and backlog", async () => {
    const kp = (agentId: string, status: Agent["status"], cpuPercent: number, memoryPercent: number) =>
      anAgent({
        agentId,
        agentType: "keyword-precision",
        status,
        workload: { ...anAgent().workload, cpuPercent, memoryPercent, errorRate: 0.1 },
      });
    const agents = [
      kp("kp-1", "healthy", 20, 40),
      kp("kp-2", "degraded", 40, 60),
      kp("kp-3", "unhealthy", 99, 99),
      kp("kp-4", "stopped", 99, 99),
    ];
    const { ledger, stats, run } = setUp({
      agents,
      counters: { "keyword-precision": { [countKey("high", "queued")]: 2, [countKey("normal", "running")]: 3 } },
    });

    await run(minute(0));
    stats.set("keyword-precision", {});
    await run(minute(1));

    const record = ledger.scalingOf("keyword-precision");
    expect(record.samples).toEqual([
      { at: minute(1).toISOString(), agents: 2, cpuPercent: 30, memoryPercent: 50, errorRate: 0.1, backlog: 0, running: 0 },
      { at: minute(0).toISOString(), agents: 2, cpuPercent: 30, memoryPercent: 50, errorRate: 0.1, backlog: 2, running: 3 },
    ]);
    expect(record.lastDecision).toMatchObject({ at: minute(1).toISOString(), desired: 1 });
    expect(ledger.scalingOf("api-reliability").samples).toEqual([
      { at: minute(1).toISOString(), agents: 0, cpuPercent: 0, memoryPercent: 0, errorRate: 0, backlog: 0, running: 0 },
      { at: minute(0).toISOString(), agents: 0, cpuPercent: 0, memoryPercent: 0, errorRate: 0, backlog: 0, running: 0 },
    ]);
  });

  it("keeps the last 15 samples, and notes when it last scaled in", async () => {
    const { ledger, run } = setUp({ desired: { "data-quality": 3 } });

    for (let m = 0; m < 20; m++) await run(minute(m));

    const record = ledger.scalingOf("data-quality");
    expect(record.samples).toHaveLength(15);
    expect(record.samples[0]?.at).toBe(minute(19).toISOString());
    expect(record.samples[14]?.at).toBe(minute(5).toISOString());
    // 3 → 2 at minute 0, 2 → 1 after the 2-minute cooldown.
    expect(record.lastScaleInAt).toBe(minute(2).toISOString());
  });

  it("keeps a manual override it finds in the ledger while recording samples", async () => {
    const { ledger, run } = setUp();
    ledger.seedScaling("data-quality", { samples: [], manualDesired: 1, manualUntil: minute(30).toISOString() });

    await run(minute(0));

    expect(ledger.scalingOf("data-quality")).toMatchObject({ manualDesired: 1, manualUntil: minute(30).toISOString() });
  });

  it("scales a type with minimum 0 to zero after idleMinutes when idleMinutes is above 15", async () => {
    const { fleet, run } = setUp({ desired: { "api-reliability": 1 } });

    for (let m = 0; m < 40; m++) await run(minute(m), { limits: { ...limits, idleMinutes: 20 } });

    expect(fleet.desiredOf("api-reliability")).toBe(0);
  });

  describe("a manual size set between the scaler's read and its write", () => {
    /** A backlog that asks for 5 data-quality agents, and an operator who sets 2 while the scaler decides. */
    async function race(ledger: InMemoryFleetLedger) {
      const { fleet, run } = setUp({ counters: { "data-quality": { [countKey("high", "queued")]: 100 } }, ledger });
      const api: ActionDeps = { registry: new InMemoryAgentRegistry(), fleet, ledger, now: minute(0), maxAgentsPerType: 5 };
      ledger.interruptAfterNextRead("SCALING#data-quality", async () => {
        await scaleAgentType("data-quality", 2, { sub: "u-1", username: "alice", roles: ["operator"] }, api);
      });
      await run(minute(0));
      return { fleet, ledger };
    }

    it("is kept: the scaler's stale write is refused, and it sizes again from the manual size", async () => {
      const { fleet, ledger } = await race(new InMemoryFleetLedger());

      expect(ledger.conflicts).toBe(1);
      expect(ledger.scalingOf("data-quality")).toMatchObject({
        manualDesired: 2,
        lastDecision: { desired: 2, reasons: [`manual size 2 holds until ${minute(30).toISOString()}`] },
      });
      expect(ledger.scalingOf("data-quality").samples).toHaveLength(1);
      // The API set 2, the losing round 5, the winning round 2 again: ECS ends at the manual size.
      expect(fleet.desiredChanges.filter((c) => c.agentType === "data-quality").map((c) => c.desired)).toEqual([2, 5, 2]);
      expect(fleet.desiredOf("data-quality")).toBe(2);
    });

    it("is erased by an unconditional write (the control)", async () => {
      const { fleet, ledger } = await race(new InMemoryFleetLedger({ unconditional: true }));

      expect(ledger.conflicts).toBe(0);
      expect(ledger.scalingOf("data-quality").manualDesired).toBeUndefined();
      expect(fleet.desiredOf("data-quality")).toBe(5);
    });
  });
});
