import { describe, expect, it } from "vitest";
import type { Agent } from "#agents/domain/agent";
import {
  mayActOnAgents,
  type ActionDeps,
  agentAction,
  deployAgentType,
  MANUAL_SCALE_MINUTES,
  scaleAgentType,
} from "#agents/domain/agent-actions";
import { scaleFleet } from "#agents/domain/scale-fleet";
import { BulkAgentActionRequest, bulkAgentAction } from "#agents/domain/bulk-agent-actions";
import { ConflictError, ForbiddenError, NotFoundError, RequestValidationError } from "#shared/errors";
import type { Caller } from "#shared/identity";
import { countKey } from "#tasks/domain/task-stats";
import { anAgent } from "../../support/agents";
import { FakeFleetController, InMemoryAgentRegistry, InMemoryFleetLedger } from "../../support/fleet";
import { InMemoryTaskStats, inMemoryTaskFigures } from "../../support/in-memory-task-stats";

const now = new Date("2026-11-23T10:00:30.000Z");
const minutesLater = (m: number) => new Date(now.getTime() + m * 60_000);
const caller: Caller = { sub: "user-1", username: "alice", roles: ["admin"] };
const operator: Caller = { sub: "user-2", username: "olga", roles: ["operator"] };
const TASK = "arn:aws:ecs:us-east-1:000000000000:task/swarm/dq-1";

function setUp(agents: Agent[] = [anAgent({ taskArn: TASK })], desired = 2) {
  const registry = new InMemoryAgentRegistry(agents);
  const fleet = new FakeFleetController({ "data-quality": desired });
  const ledger = new InMemoryFleetLedger();
  const deps: ActionDeps = { registry, fleet, ledger, now, maxAgentsPerType: 5 };
  return { registry, fleet, ledger, deps };
}

describe("agentAction", () => {
  it("lets operators start and restart agents, and only admins stop one, refusing before reading anything", async () => {
    const { registry, fleet, deps } = setUp();
    await expect(agentAction("dq-1", "stop", operator, deps)).rejects.toMatchObject({ status: 403, code: "Forbidden" });
    await expect(agentAction("ghost", "stop", operator, deps)).rejects.toMatchObject({ status: 403 });
    expect(fleet.stoppedTasks).toEqual([]);
    expect(registry.statusOf("dq-1")).toBe("healthy");
    await expect(agentAction("dq-1", "restart", operator, deps)).resolves.toMatchObject({ action: "restart" });
    expect(mayActOnAgents(operator, "start")).toBe(true);
    expect(mayActOnAgents({ roles: ["viewer"] }, "restart")).toBe(false);
  });

  it("restart stops the agent's task and marks it stopping, leaving the service size alone", async () => {
    const { registry, fleet, ledger, deps } = setUp();

    const result = await agentAction("dq-1", "restart", caller, deps);

    expect(result).toEqual({
      agentId: "dq-1",
      agentType: "data-quality",
      action: "restart",
      outcome: "its task stops and the service starts a replacement",
    });
    expect(fleet.stoppedTasks).toEqual([{ taskArn: TASK, reason: "restart by alice" }]);
    expect(fleet.desiredChanges).toEqual([]);
    expect(registry.statusOf("dq-1")).toBe("stopping");
    expect(registry.statusWrites).toEqual([
      { agentId: "dq-1", status: "stopping", reason: "restart by alice", at: now.toISOString() },
    ]);
    expect(ledger.scalings.size).toBe(0);
  });

  it("stop stops the task and lowers the desired count by one, so it is not replaced", async () => {
    const { registry, fleet, deps } = setUp();

    const result = await agentAction("dq-1", "stop", caller, deps);

    expect(result.outcome).toBe("its task stops and is not replaced");
    expect(fleet.stoppedTasks).toEqual([{ taskArn: TASK, reason: "stop by alice" }]);
    expect(fleet.desiredOf("data-quality")).toBe(1);
    expect(registry.statusOf("dq-1")).toBe("stopping");
  });

  it("stop holds the lowered size against the scaler, and never goes below zero", async () => {
    const { fleet, ledger, deps } = setUp([anAgent({ taskArn: TASK })], 0);

    await agentAction("dq-1", "stop", caller, deps);

    expect(fleet.desiredChanges).toEqual([{ agentType: "data-quality", desired: 0 }]);
    expect(ledger.scalingOf("data-quality")).toMatchObject({
      manualDesired: 0,
      manualUntil: minutesLater(MANUAL_SCALE_MINUTES).toISOString(),
    });
  });

  it("start raises the desired count by one for a stopped agent, within maxAgentsPerType", async () => {
    const stopped = anAgent({ taskArn: TASK, status: "stopped" });
    const { fleet, ledger, deps } = setUp([stopped], 2);

    const result = await agentAction("dq-1", "start", caller, deps);

    expect(result).toMatchObject({ action: "start", outcome: "a new data-quality agent starts in its place" });
    expect(fleet.desiredOf("data-quality")).toBe(3);
    expect(fleet.stoppedTasks).toEqual([]);
    expect(ledger.scalingOf("data-quality").manualDesired).toBe(3);

    const full = setUp([stopped], 5);
    await agentAction("dq-1", "start", caller, full.deps);
    expect(full.fleet.desiredOf("data-quality")).toBe(5);
  });

  it("answers 404 for an agent it does not know, changing nothing", async () => {
    const { fleet, deps } = setUp();

    for (const action of ["start", "stop", "restart"] as const) {
      const error = await agentAction("ghost", action, caller, deps).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ status: 404 });
    }
    expect(fleet.changeCalls).toBe(0);
  });

  it("answers 409 to restarting or stopping an agent that is stopped or already stopping", async () => {
    for (const status of ["stopped", "stopping"] as const) {
      const { fleet, deps } = setUp([anAgent({ taskArn: TASK, status })]);
      for (const action of ["restart", "stop"] as const) {
        await expect(agentAction("dq-1", action, caller, deps)).rejects.toMatchObject({ status: 409, code: "AgentNotRunning" });
      }
      expect(fleet.changeCalls).toBe(0);
    }
  });

  it("answers 409 to restarting an agent the orchestrator does not run (no task ARN)", async () => {
    const { registry, fleet, deps } = setUp([anAgent({ taskArn: undefined })]);

    const error = await agentAction("dq-1", "restart", caller, deps).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ status: 409, code: "AgentNotManaged" });
    expect(fleet.changeCalls).toBe(0);
    expect(registry.statusOf("dq-1")).toBe("healthy");
  });

  it("answers 409 to starting an agent that is running", async () => {
    const { fleet, deps } = setUp([anAgent({ taskArn: TASK, status: "degraded" })]);
    await expect(agentAction("dq-1", "start", caller, deps)).rejects.toMatchObject({ status: 409, code: "AgentAlreadyRunning" });
    expect(fleet.changeCalls).toBe(0);
  });
});

describe("scaleAgentType", () => {
  it("sets the size and holds it against the scaler for 30 minutes", async () => {
    const { fleet, ledger, deps } = setUp();

    const result = await scaleAgentType("data-quality", 4, caller, deps);

    const until = minutesLater(30).toISOString();
    expect(result).toEqual({ agentType: "data-quality", desired: 4, autoscalingResumesAt: until, requestedBy: "alice" });
    expect(fleet.desiredOf("data-quality")).toBe(4);
    expect(ledger.scalingOf("data-quality")).toMatchObject({ manualDesired: 4, manualUntil: until, manualBy: "alice" });
  });

  it("refuses an operator's scale to 0 with a 403 before anything is read; an operator's 1 and an admin's 0 go through", async () => {
    const { fleet, ledger, deps } = setUp();

    await expect(scaleAgentType("data-quality", 0, operator, deps)).rejects.toBeInstanceOf(ForbiddenError);
    // Refused before the size check too: 0 is never "too many", and a 403 comes before any 400.
    expect(fleet.changeCalls).toBe(0);
    expect(ledger.scalings.size).toBe(0);

    await expect(scaleAgentType("data-quality", 1, operator, deps)).resolves.toMatchObject({ desired: 1, requestedBy: "olga" });
    await expect(scaleAgentType("data-quality", 0, caller, deps)).resolves.toMatchObject({ desired: 0, requestedBy: "alice" });
    expect(ledger.scalingOf("data-quality")).toMatchObject({ manualDesired: 0, manualBy: "alice" });
  });

  it("keeps what the scaler remembered when recording the override", async () => {
    const { ledger, deps } = setUp();
    const sample = {
      at: now.toISOString(),
      agents: 1,
      cpuPercent: 10,
      memoryPercent: 20,
      errorRate: 0,
      backlog: 0,
      running: 0,
    };
    ledger.seedScaling("data-quality", { samples: [sample], lastScaleInAt: "2026-11-23T09:00:00.000Z" });

    await scaleAgentType("data-quality", 2, caller, deps);

    expect(ledger.scalingOf("data-quality")).toMatchObject({
      samples: [sample],
      lastScaleInAt: "2026-11-23T09:00:00.000Z",
      manualDesired: 2,
    });
  });

  it("refuses more than maxAgentsPerType with a 400 naming replicas, changing nothing", async () => {
    const { fleet, ledger, deps } = setUp();

    const error = await scaleAgentType("data-quality", 6, caller, deps).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RequestValidationError);
    expect(error).toMatchObject({ status: 400, fields: [{ field: "replicas", message: expect.stringContaining("at most 5") }] });
    expect(fleet.changeCalls).toBe(0);
    expect(ledger.scalings.size).toBe(0);
    await expect(scaleAgentType("data-quality", 5, caller, deps)).resolves.toMatchObject({ desired: 5 });
  });

  it("is kept by the scaler for 30 minutes despite a backlog, then the scaler takes over", async () => {
    const { registry, fleet, ledger, deps } = setUp();
    const stats = new InMemoryTaskStats({ "data-quality": { [countKey("normal", "queued")]: 500 } });
    const scale = (at: Date) =>
      scaleFleet({
        registry,
        fleet,
        ledger,
        tasks: inMemoryTaskFigures(stats),
        limits: { max: 5, targetLatencySeconds: 60, idleMinutes: 15, scaleInCooldownMinutes: 5 },
        concurrency: () => 3,
        now: at,
      });
    await scaleAgentType("data-quality", 1, caller, deps);

    await scale(minutesLater(29));
    expect(fleet.desiredOf("data-quality")).toBe(1);

    await scale(minutesLater(30));
    expect(fleet.desiredOf("data-quality")).toBe(5);
  });

  describe("a scaler run that writes between the API's read and its write", () => {
    async function race(ledger: InMemoryFleetLedger) {
      const registry = new InMemoryAgentRegistry();
      const fleet = new FakeFleetController({ "data-quality": 1 });
      const scaler = () =>
        scaleFleet({
          registry,
          fleet,
          ledger,
          tasks: inMemoryTaskFigures(new InMemoryTaskStats()),
          limits: { max: 5, targetLatencySeconds: 60, idleMinutes: 15, scaleInCooldownMinutes: 5 },
          concurrency: () => 3,
          now,
        });
      ledger.interruptAfterNextRead("SCALING#data-quality", async () => {
        await scaler();
      });
      await scaleAgentType("data-quality", 3, caller, { registry, fleet, ledger, now, maxAgentsPerType: 5 });
      return { fleet, ledger };
    }

    it("loses neither: the manual size is recorded over the scaler's sample, and set after it", async () => {
      const { fleet, ledger } = await race(new InMemoryFleetLedger());

      expect(ledger.conflicts).toBe(1);
      expect(ledger.scalingOf("data-quality")).toMatchObject({ manualDesired: 3, samples: [{ at: now.toISOString() }] });
      expect(fleet.desiredOf("data-quality")).toBe(3);
    });

    it("loses the scaler's sample when writes are unconditional (the control)", async () => {
      const { ledger } = await race(new InMemoryFleetLedger({ unconditional: true }));

      expect(ledger.scalingOf("data-quality")).toMatchObject({ manualDesired: 3, samples: [] });
    });
  });
});

describe("deployAgentType", () => {
  it("replaces every agent of a running type without changing its size", async () => {
    const { fleet, ledger, deps } = setUp([], 3);

    const result = await deployAgentType("data-quality", caller, deps);

    expect(result).toEqual({
      agentType: "data-quality",
      desired: 3,
      outcome: "every agent is replaced by a new one",
      requestedBy: "alice",
    });
    expect(fleet.redeployed).toEqual(["data-quality"]);
    expect(fleet.desiredChanges).toEqual([]);
    expect(ledger.scalings.size).toBe(0);
  });

  it("starts one agent of a type at zero, and holds that against the scaler", async () => {
    const { fleet, ledger, deps } = setUp([], 0);

    const result = await deployAgentType("data-quality", caller, deps);

    const until = minutesLater(30).toISOString();
    expect(result).toEqual({
      agentType: "data-quality",
      desired: 1,
      outcome: "the type was at zero: one agent starts",
      autoscalingResumesAt: until,
      requestedBy: "alice",
    });
    expect(fleet.redeployed).toEqual(["data-quality"]);
    expect(fleet.desiredOf("data-quality")).toBe(1);
    expect(ledger.scalingOf("data-quality")).toMatchObject({ manualDesired: 1, manualUntil: until });
  });
});

describe("bulkAgentAction", () => {
  it("takes each agent on its own: accepted, not found, conflict, each with the status it alone would get", async () => {
    const { deps } = setUp([anAgent({ taskArn: TASK }), anAgent({ agentId: "dq-2", status: "stopped" })]);
    const response = await bulkAgentAction({ action: "restart", agentIds: ["dq-1", "ghost", "dq-2", "dq-1"] }, caller, deps);
    expect(response).toEqual({
      action: "restart",
      accepted: 1,
      results: [
        { agentId: "dq-1", outcome: "accepted", status: 202, message: expect.stringContaining("replacement") },
        { agentId: "ghost", outcome: "not_found", status: 404, message: "agent ghost was not found" },
        { agentId: "dq-2", outcome: "conflict", status: 409, message: "agent dq-2 is stopped" },
      ],
    });
  });

  it("answers forbidden for each agent an operator asks to stop, and stops none", async () => {
    const { fleet, deps } = setUp();
    const response = await bulkAgentAction({ action: "stop", agentIds: ["dq-1", "ghost"] }, operator, deps);
    expect(response.results.map((r) => [r.agentId, r.outcome, r.status])).toEqual([
      ["dq-1", "forbidden", 403],
      ["ghost", "forbidden", 403],
    ]);
    expect(fleet.stoppedTasks).toEqual([]);
  });

  it("refuses more than 50 agents, and an empty list", () => {
    expect(BulkAgentActionRequest.safeParse({ action: "restart", agentIds: [] }).success).toBe(false);
    expect(
      BulkAgentActionRequest.safeParse({ action: "restart", agentIds: Array.from({ length: 51 }, (_, i) => `a${i}`) }).success,
    ).toBe(false);
  });
});
