import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Frame, WsClient } from "../../../scripts/local/ws-client";
import { startAgent } from "../support/agents";
import { api, eventually, outputs, submit, taskUntil, tokenFor } from "../support/api";
import { fleetProcesses, fleetSettles, fleetView, invokeFunction } from "../support/fleet";
import { UNATTENDED_AGENT_TYPE } from "../support/global-setup";

interface MonitorReport {
  checked: number;
  actions: { agentType: string; action: string; agentId?: string; reason: string }[];
}

const pidOf = (agentId: string) => {
  const process = fleetProcesses().find((p) => p.agentId === agentId);
  if (!process) throw new Error(`the fleet runs no process for agent ${agentId}`);
  return process.pid;
};

/** Sends `signal` to a process, ignoring one that has already gone. */
const signal = (pid: number, name: NodeJS.Signals) => {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
};

describe("agent health and recovery", () => {
  let client: WsClient;

  beforeAll(async () => {
    client = await WsClient.connect(outputs().WebSocketUrl, await tokenFor("viewer"));
    await client.subscribe(["agents_only", "alerts"]);
  });
  afterAll(() => client?.close());

  it("marks a hung agent unhealthy and fails over per the recovery policy, with an alert", async () => {
    const [agent] = await fleetSettles("api-reliability", 1);
    if (!agent) throw new Error("no api-reliability agent");
    const pid = pidOf(agent.agentId);
    // GIVEN an agent that stops answering (its process frozen: no heartbeats, no work)…
    signal(pid, "SIGSTOP");
    try {
      // …for three heartbeat intervals
      const silence = agent.heartbeatIntervalSeconds * 3 * 1_000 + 1_000;
      await new Promise((resolve) => setTimeout(resolve, silence));

      // WHEN the health monitor runs (every minute on AWS; invoked here)
      const report = await invokeFunction<MonitorReport>(outputs().HealthMonitorFunctionName);

      // THEN, the type's only agent being unhealthy, it fails over: a standby starts and the hung agent is stopped…
      expect(report.actions).toContainEqual(
        expect.objectContaining({ agentType: "api-reliability", action: "FAILOVER", agentId: agent.agentId }),
      );
      // …the dashboard hears it go unhealthy, then stopped, and gets an alert naming the action…
      await client.waitFor(
        (f: Frame) => f.type === "agent_status" && f.data.agentId === agent.agentId && f.data.status === "unhealthy",
        15_000,
        "agent_status unhealthy",
      );
      await client.waitFor(
        (f: Frame) => f.type === "agent_status" && f.data.agentId === agent.agentId && f.data.status === "stopped",
        15_000,
        "agent_status stopped",
      );
      const alert = await client.waitFor(
        (f: Frame) => f.type === "system_alert" && f.data.source === "agents" && String(f.data.title).includes("FAILOVER"),
        15_000,
        "system_alert of the failover",
      );
      expect(alert.data).toMatchObject({
        severity: "critical",
        resource: expect.objectContaining({ agentId: agent.agentId, attempt: "1" }),
      });
      // …and new agents take its place: the standby, and the replacement of the stopped task.
      const replacements = await fleetSettles("api-reliability", 2);
      expect(replacements.map((a) => a.agentId)).not.toContain(agent.agentId);
      const old = await api<{ status: string; statusReason: string }>("GET", `/api/agents/${agent.agentId}`);
      expect(old.body).toMatchObject({ status: "stopped", statusReason: expect.stringContaining("health monitor") });

      // A second run finds the fleet healthy and does nothing more.
      const calm = await invokeFunction<MonitorReport>(outputs().HealthMonitorFunctionName);
      expect(calm.actions.filter((a) => a.agentType === "api-reliability")).toEqual([]);
    } finally {
      // Let the frozen process take the SIGTERM its stopped task earned, and go; leave one agent, as found.
      signal(pid, "SIGCONT");
      await api("PUT", "/api/agent-types/api-reliability/scale", { token: await tokenFor("operator"), body: { replicas: 1 } });
      await fleetSettles("api-reliability", 1);
    }
  });

  it("replaces an agent whose process dies, and records why it stopped", async () => {
    const [agent] = await fleetSettles("keyword-precision", 1);
    if (!agent) throw new Error("no keyword-precision agent");

    signal(pidOf(agent.agentId), "SIGKILL");

    const [replacement] = await eventually(
      () => fleetSettles("keyword-precision", 1),
      (agents) => agents[0]?.agentId !== agent.agentId,
      45_000,
      "a new keyword-precision agent",
    );
    expect(replacement?.agentId).not.toBe(agent.agentId);
    // ECS's task-state event (sent by the fleet runner locally) marks the dead agent stopped, with the reason.
    const dead = await eventually(
      async () => (await api<{ status: string; statusReason?: string }>("GET", `/api/agents/${agent.agentId}`)).body,
      (a) => a.status === "stopped",
      15_000,
      "the dead agent marked stopped",
    );
    expect(dead.statusReason).toMatch(/ECS stopped the task.*Essential container in task exited \(SIGKILL\)/);
  });

  it("finishes the task in hand when told to stop (SIGTERM), then a replacement starts", async () => {
    const [agent] = await fleetSettles("data-quality", 1);
    if (!agent) throw new Error("no data-quality agent");
    const task = await submit({ type: "diagnostics.sleep", agentType: "data-quality", payload: { ms: 4_000 } });
    await taskUntil(task.taskId, (t) => t.status === "running", 15_000, "the task running");

    signal(pidOf(agent.agentId), "SIGTERM");

    const done = await taskUntil(task.taskId, (t) => t.status !== "running", 20_000, "the task to end");
    expect(done).toMatchObject({ status: "completed", agentId: agent.agentId, attempt: 1 });
    const stopped = await eventually(
      async () => (await api<{ status: string; statusReason?: string }>("GET", `/api/agents/${agent.agentId}`)).body,
      (a) => a.status === "stopped",
      15_000,
      "the drained agent stopped",
    );
    expect(stopped.status).toBe("stopped");
    await eventually(
      () => fleetSettles("data-quality", 1),
      (agents) => agents[0]?.agentId !== agent.agentId,
      45_000,
      "a new data-quality agent",
    );
  });

  it("releases a task it cannot finish within its stop grace, and another agent completes it", async () => {
    const impatient = startAgent(UNATTENDED_AGENT_TYPE, "e2e-impatient", { STOP_GRACE_SECONDS: "1" });
    const task = await submit({
      type: "diagnostics.sleep",
      agentType: UNATTENDED_AGENT_TYPE,
      payload: { ms: 6_000 },
      maxRetries: 2,
    });
    await taskUntil(task.taskId, (t) => t.status === "running" && t.agentId === "e2e-impatient", 15_000, "the task running");

    impatient.child.kill("SIGTERM");
    expect(await impatient.exited).toBe(0);
    // The aborted attempt goes back to the queue, not lost…
    const requeued = await taskUntil(task.taskId, (t) => t.status === "queued", 15_000, "the task back in the queue");
    expect(requeued.attempt).toBe(2);

    // …and the next agent finishes it.
    const patient = startAgent(UNATTENDED_AGENT_TYPE, "e2e-patient");
    try {
      const done = await taskUntil(task.taskId, (t) => t.status === "completed", 30_000, "the task completed");
      expect(done).toMatchObject({ agentId: "e2e-patient", attempt: 2 });
      const view = await fleetView(true);
      expect(view.agents.find((a) => a.agentId === "e2e-impatient")?.status).toBe("stopped");
    } finally {
      // No agent may stay on the unattended type: later files count on nothing reading its queues.
      await patient.stop(15_000);
    }
  });
});
