import { describe, expect, it } from "vitest";
import type { Agent } from "#agents/domain/agent";
import { type MonitorDeps, monitorFleet } from "#agents/domain/monitor-fleet";
import { RECOVERY_POLICY } from "#agents/domain/recovery-policy";
import { anAgent } from "../../support/agents";
import { RecordingPublisher } from "../../support/events";
import { FakeFleetController, InMemoryAgentRegistry, InMemoryFleetLedger } from "../../support/fleet";
import { EVENT_SOURCES } from "#kernel/bus/domain-event";
import { SYSTEM_ALERT, SystemAlert } from "#kernel/bus/system-alert";

const T0 = Date.parse("2026-11-23T10:00:00.000Z");
const minute = (m: number) => new Date(T0 + m * 60_000);
const secondsBefore = (at: Date, s: number) => new Date(at.getTime() - s * 1_000).toISOString();
const arn = (agentId: string) => `arn:aws:ecs:us-east-1:000000000000:task/swarm/${agentId}`;

/** An agent on ECS that last spoke `silentSeconds` before `at` (heartbeats every 10 s). */
const managed = (agentId: string, silentSeconds: number, at = minute(0), overrides: Partial<Agent> = {}) =>
  anAgent({ agentId, taskArn: arn(agentId), heartbeatAt: secondsBefore(at, silentSeconds), ...overrides });

function setUp(agents: Agent[], desired = agents.length, ledger = new InMemoryFleetLedger()) {
  const registry = new InMemoryAgentRegistry(agents);
  const fleet = new FakeFleetController({ "data-quality": desired });
  const publisher = new RecordingPublisher();
  const run = (now: Date) => monitorFleet({ registry, fleet, ledger, publisher, now, maxAgentsPerType: 5 } satisfies MonitorDeps);
  return { registry, fleet, ledger, publisher, run };
}

const alertsOf = (publisher: RecordingPublisher) => publisher.ofType(SYSTEM_ALERT).map((e) => SystemAlert.parse(e.detail));

describe("monitorFleet", () => {
  it("marks an agent silent for three heartbeat intervals unhealthy, stops its task and alerts", async () => {
    const { registry, fleet, publisher, run } = setUp([managed("dq-ok", 2), managed("dq-silent", 30)]);

    const report = await run(minute(0));

    expect(registry.statusesOf("dq-silent")).toEqual(["unhealthy", "stopped"]);
    expect(registry.statusWrites.find((w) => w.agentId === "dq-silent")?.reason).toMatch(
      /^no heartbeat for 30s \(3\.0 intervals\)/,
    );
    expect(fleet.stoppedTasks).toEqual([{ taskArn: arn("dq-silent"), reason: expect.stringContaining("health monitor:") }]);
    expect(fleet.desiredChanges).toEqual([]);
    expect(registry.statusOf("dq-ok")).toBe("healthy");
    expect(report).toEqual({
      checked: 2,
      statusChanges: 1,
      actions: [
        {
          agentType: "data-quality",
          action: "RESTART",
          agentId: "dq-silent",
          reason: expect.stringContaining("dq-silent is unhealthy"),
        },
      ],
    });
    expect(publisher.events).toHaveLength(1);
    expect(publisher.events[0]).toMatchObject({ source: EVENT_SOURCES.agents, detailType: SYSTEM_ALERT });
    expect(alertsOf(publisher)).toEqual([
      {
        severity: "warning",
        source: "agents",
        title: "RESTART on data-quality",
        message: expect.stringContaining("no heartbeat for 30s"),
        resource: { agentType: "data-quality", action: "RESTART", attempt: "1", agentId: "dq-silent" },
        raisedAt: minute(0).toISOString(),
      },
    ]);
  });

  it("leaves an agent just under three intervals late running", async () => {
    const { registry, fleet, run } = setUp([managed("dq-ok", 2), managed("dq-late", 29)]);

    await run(minute(0));

    expect(registry.statusOf("dq-late")).toBe("degraded");
    expect(fleet.stoppedTasks).toEqual([]);
  });

  it("marks an unhealthy agent the orchestrator does not run as stopped, without calling ECS or alerting", async () => {
    const local = anAgent({ agentId: "dq-local", taskArn: undefined, heartbeatAt: secondsBefore(minute(0), 45) });
    const { registry, fleet, publisher, run } = setUp([managed("dq-ok", 2), local]);

    const report = await run(minute(0));

    expect(registry.statusesOf("dq-local")).toEqual(["stopped"]);
    expect(registry.agents.get("dq-local")?.statusReason).toMatch(/not run by the orchestrator, so not restarted$/);
    expect(fleet.changeCalls).toBe(0);
    expect(report.actions).toEqual([]);
    expect(publisher.calls).toBe(0);
  });

  it("takes no action and raises no alert while every agent is healthy", async () => {
    const { registry, fleet, ledger, publisher, run } = setUp([managed("dq-1", 1), managed("dq-2", 9)]);

    const report = await run(minute(0));

    expect(report).toEqual({ checked: 2, statusChanges: 0, actions: [] });
    expect(fleet.changeCalls).toBe(0);
    expect(publisher.calls).toBe(0);
    expect(ledger.recoveries.size).toBe(0);
    expect(registry.statusOf("dq-1")).toBe("healthy");
    expect(registry.statusOf("dq-2")).toBe("healthy");
  });

  it("fails over when no healthy agent is left: one more agent is asked for and the task stopped", async () => {
    const { registry, fleet, publisher, run } = setUp([managed("dq-silent", 60)], 1);

    const report = await run(minute(0));

    expect(report.actions).toMatchObject([{ action: "FAILOVER", agentId: "dq-silent" }]);
    expect(fleet.desiredChanges).toEqual([{ agentType: "data-quality", desired: 2 }]);
    expect(fleet.stoppedTasks.map((s) => s.taskArn)).toEqual([arn("dq-silent")]);
    expect(registry.statusOf("dq-silent")).toBe("stopped");
    expect(alertsOf(publisher)).toMatchObject([{ severity: "critical", title: "FAILOVER on data-quality" }]);
  });

  it("does not judge an agent that is already stopping", async () => {
    const { registry, fleet, run } = setUp([managed("dq-ok", 2), managed("dq-going", 600, minute(0), { status: "stopping" })]);

    const report = await run(minute(0));

    expect(registry.statusesOf("dq-going")).toEqual([]);
    expect(fleet.changeCalls).toBe(0);
    expect(report.checked).toBe(2);
  });

  it("waits out the cooldown between runs, caps its attempts, then only alerts and holds off", async () => {
    // One healthy agent that keeps heartbeating, and four that went silent, newest first.
    const silent = [1, 2, 3, 4].map((n) => managed(`dq-s${n}`, 120, minute(0), { registeredAt: `2026-11-23T09:0${n}:00.000Z` }));
    const { registry, fleet, ledger, publisher, run } = setUp([managed("dq-ok", 1), ...silent]);
    const runAt = async (m: number) => {
      await registry.heartbeat("dq-ok", anAgent().workload, minute(m));
      return (await run(minute(m))).actions.map((a) => a.action);
    };

    const actions = [];
    for (const m of [0, 2, 5, 9, 10, 15, 20, 44]) actions.push(await runAt(m));

    expect(actions).toEqual([
      ["RESTART"], // minute 0
      [], // 2: cooling down
      ["RESTART"], // 5
      [], // 9: cooling down
      ["RECREATE"], // 10: third attempt replaces every task
      ["ALERT_ONLY"], // 15: attempts used up, the breaker opens
      [], // 20: breaker open
      [], // 44: still within the breaker's reset time
    ]);
    expect(fleet.stoppedTasks.map((s) => s.taskArn)).toEqual([arn("dq-s4"), arn("dq-s3")]);
    expect(fleet.redeployed).toEqual(["data-quality"]);
    expect(alertsOf(publisher).map((a) => [a.title, a.resource.attempt])).toEqual([
      ["RESTART on data-quality", "1"],
      ["RESTART on data-quality", "2"],
      ["RECREATE on data-quality", "3"],
      ["ALERT_ONLY on data-quality", "4"],
    ]);
    expect(ledger.recoveryOf("data-quality")).toMatchObject({ breaker: "open", attempts: RECOVERY_POLICY.maxAttempts + 1 });

    // Half an hour after the breaker opened, one more attempt is allowed.
    expect(await runAt(15 + RECOVERY_POLICY.breakerResetSeconds / 60)).toEqual(["RECREATE"]);
  });

  it("closes the incident once every agent is healthy again, so the next failure starts afresh", async () => {
    const { registry, ledger, run } = setUp([managed("dq-ok", 1), managed("dq-silent", 60)]);
    await run(minute(0));
    expect(ledger.recoveryOf("data-quality").attempts).toBe(1);

    await registry.heartbeat("dq-ok", anAgent().workload, minute(1));
    await run(minute(1));

    expect(ledger.recoveryOf("data-quality")).toMatchObject({ attempts: 0, breaker: "closed" });
  });

  describe("two runs at once (a schedule delivered twice, or an invoke beside it)", () => {
    /** The second run starts and finishes while the first is between reading the ledger and writing it. */
    async function race(ledger: InMemoryFleetLedger) {
      const { fleet, publisher, run } = setUp([managed("dq-ok", 2), managed("dq-silent", 30)], 2, ledger);
      ledger.interruptAfterNextRead("RECOVERY#data-quality", async () => {
        await run(minute(0));
      });
      const first = await run(minute(0));
      return { fleet, publisher, first };
    }

    it("restart an agent once: the run that lost the ledger write decides again and finds the attempt made", async () => {
      const ledger = new InMemoryFleetLedger();
      const { fleet, publisher, first } = await race(ledger);

      expect(ledger.conflicts).toBe(1);
      expect(first.actions).toEqual([]);
      expect(fleet.stoppedTasks.map((s) => s.taskArn)).toEqual([arn("dq-silent")]);
      expect(alertsOf(publisher).map((a) => a.title)).toEqual(["RESTART on data-quality"]);
      expect(ledger.recoveryOf("data-quality")).toMatchObject({ attempts: 1 });
    });

    it("restart it twice and count one attempt when writes are unconditional (the control)", async () => {
      const ledger = new InMemoryFleetLedger({ unconditional: true });
      const { fleet, publisher } = await race(ledger);

      expect(fleet.stoppedTasks.map((s) => s.taskArn)).toEqual([arn("dq-silent"), arn("dq-silent")]);
      expect(alertsOf(publisher)).toHaveLength(2);
      expect(ledger.recoveryOf("data-quality")).toMatchObject({ attempts: 1 });
    });
  });
});
