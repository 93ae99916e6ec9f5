import { describe, expect, it } from "vitest";
import { AGENT_TYPE_SPECS, AGENT_TYPES } from "#kernel/agent-catalog";
import { fleetStatus, FleetStatusView } from "#agents/domain/fleet-status";
import { anAgent } from "../../support/agents";
import { FakeFleetController, InMemoryAgentRegistry } from "../../support/fleet";

const now = new Date("2026-11-23T10:00:30.000Z");

function setUp() {
  const registry = new InMemoryAgentRegistry([
    anAgent({ agentId: "dq-1", status: "healthy", registeredAt: "2026-11-23T09:00:00.000Z" }),
    anAgent({ agentId: "dq-2", status: "healthy", registeredAt: "2026-11-23T09:10:00.000Z" }),
    anAgent({ agentId: "dq-3", status: "degraded", registeredAt: "2026-11-23T09:20:00.000Z" }),
    anAgent({ agentId: "dq-4", status: "stopped", registeredAt: "2026-11-23T08:00:00.000Z" }),
    anAgent({ agentId: "kp-1", agentType: "keyword-precision", status: "unhealthy" }),
    anAgent({ agentId: "kp-2", agentType: "keyword-precision", status: "stopping" }),
    anAgent({ agentId: "kp-3", agentType: "keyword-precision", status: "stopped" }),
  ]);
  const fleet = new FakeFleetController({ "data-quality": 3, "keyword-precision": 2, "scraping-efficiency": 1 });
  fleet.setRunning("data-quality", 2);
  return { registry, fleet };
}

describe("fleetStatus", () => {
  it("counts each type's agents by status, leaving stopped agents out unless asked", async () => {
    const view = await fleetStatus({ ...setUp(), now, includeStopped: false });

    expect(FleetStatusView.parse(view)).toEqual(view);
    expect(view.generatedAt).toBe(now.toISOString());
    const dq = view.types.find((t) => t.agentType === "data-quality");
    const kp = view.types.find((t) => t.agentType === "keyword-precision");
    expect(dq?.agents).toEqual({ starting: 0, healthy: 2, degraded: 1, unhealthy: 0, stopping: 0, stopped: 0 });
    expect(kp?.agents).toEqual({ starting: 0, healthy: 0, degraded: 0, unhealthy: 1, stopping: 1, stopped: 0 });
    expect(view.agents.map((a) => a.agentId).sort()).toEqual(["dq-1", "dq-2", "dq-3", "kp-1", "kp-2"]);
  });

  it("includes stopped agents, in the list and the counts, when asked", async () => {
    const view = await fleetStatus({ ...setUp(), now, includeStopped: true });

    expect(view.types.find((t) => t.agentType === "data-quality")?.agents.stopped).toBe(1);
    expect(view.types.find((t) => t.agentType === "keyword-precision")?.agents.stopped).toBe(1);
    expect(view.agents.map((a) => a.agentId)).toEqual(expect.arrayContaining(["dq-4", "kp-3"]));
    expect(view.agents).toHaveLength(7);
  });

  it("reports desired and running as the orchestrator does, for every type in catalog order", async () => {
    const view = await fleetStatus({ ...setUp(), now, includeStopped: false });

    expect(view.types.map((t) => [t.agentType, t.desired, t.running])).toEqual([
      ["scraping-efficiency", 1, 1],
      ["keyword-precision", 2, 2],
      ["api-reliability", 0, 0],
      ["performance-optimizer", 0, 0],
      ["data-quality", 3, 2],
    ]);
    expect(view.types.map((t) => t.agentType)).toEqual([...AGENT_TYPES]);
  });

  it("lists each type's capabilities from its spec, and all-zero counts for a type without agents", async () => {
    const view = await fleetStatus({ ...setUp(), now, includeStopped: true });

    const reviewer = view.types.find((t) => t.agentType === "api-reliability");
    expect(reviewer?.capabilities).toEqual([...AGENT_TYPE_SPECS["api-reliability"].capabilities]);
    expect(Object.values(reviewer?.agents ?? {})).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("keeps the registry's order: newest agent first", async () => {
    const view = await fleetStatus({ ...setUp(), now, includeStopped: false });
    const dq = view.agents.filter((a) => a.agentType === "data-quality").map((a) => a.agentId);
    expect(dq).toEqual(["dq-3", "dq-2", "dq-1"]);
  });
});
