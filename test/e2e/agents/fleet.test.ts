import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Frame, WsClient } from "../../../scripts/local/ws-client";
import { AGENT_TYPES } from "#kernel/agent-catalog";
import { api, eventually, outputs, tokenFor } from "../support/api";
import { fleetProcesses, fleetSettles, fleetView, liveManagedAgents } from "../support/fleet";

/**
 * The fleet through its API: sizes and restarts go to ECS, and the fleet runner (Fargate's
 * stand-in here) starts and stops agent processes to match. Every test leaves one agent per
 * attended type, as it found it.
 */
describe("agent fleet API", () => {
  let client: WsClient;

  beforeAll(async () => {
    client = await WsClient.connect(outputs().WebSocketUrl, await tokenFor("viewer"));
    await client.subscribe(["agents_only"]);
  });
  afterAll(() => client?.close());

  it("scales a type up and down through the API, and the running agents follow", async () => {
    const [before] = await fleetSettles("keyword-precision", 1);

    // WHEN an operator asks for three keyword-precision agents
    const up = await api<{ desired: number; autoscalingResumesAt: string }>("PUT", "/api/agent-types/keyword-precision/scale", {
      token: await tokenFor("operator"),
      body: { replicas: 3 },
    });
    expect(up.status).toBe(202);
    expect(up.body.desired).toBe(3);
    expect(Date.parse(up.body.autoscalingResumesAt)).toBeGreaterThan(Date.now() + 25 * 60_000);

    // THEN three processes run, each registered under its ECS task, and the dashboard heard the new ones join
    const three = await fleetSettles("keyword-precision", 3);
    expect(new Set(three.map((a) => a.agentId))).toEqual(new Set(fleetProcesses("keyword-precision").map((p) => p.agentId)));
    for (const agent of three) {
      expect(agent.taskArn).toContain(`/${agent.agentId}`);
      if (agent.agentId === before?.agentId) continue;
      await client.waitFor(
        (f: Frame) => f.type === "agent_status" && f.data.agentId === agent.agentId && f.data.status === "healthy",
        10_000,
        `agent_status of ${agent.agentId}`,
      );
    }
    const type = (await fleetView()).types.find((t) => t.agentType === "keyword-precision");
    expect(type).toMatchObject({ desired: 3, running: 3 });

    // WHEN it is scaled back to one, two agents stop (draining first) and are shown as stopped
    const down = await api("PUT", "/api/agent-types/keyword-precision/scale", {
      token: await tokenFor("operator"),
      body: { replicas: 1 },
    });
    // Its answer was unchecked: one run waited 45 s for one agent with `desired` still 3, and could not say why.
    expect(down.status, JSON.stringify(down.body)).toBe(202);
    const [left] = await fleetSettles("keyword-precision", 1);
    const retired = three.filter((a) => a.agentId !== left?.agentId).map((a) => a.agentId);
    expect(retired).toHaveLength(2);
    const view = await eventually(
      () => fleetView(true),
      (v) => v.agents.filter((a) => retired.includes(a.agentId) && a.status === "stopped").length === 2,
      15_000,
      "the two retired agents shown as stopped",
    );
    expect(view.agents.find((a) => a.agentId === retired[0])?.statusReason).toBeTruthy();
    expect(before).toBeDefined();
  });

  it("restarts an agent: its task stops and a new agent takes its place", async () => {
    const [agent] = await fleetSettles("data-quality", 1);
    if (!agent) throw new Error("no data-quality agent");

    const restarted = await api<{ outcome: string }>("POST", `/api/agents/${agent.agentId}/restart`, {
      token: await tokenFor("operator"),
    });
    expect(restarted.status).toBe(202);

    const [replacement] = await eventually(
      () => fleetSettles("data-quality", 1),
      (agents) => agents[0]?.agentId !== agent.agentId,
      45_000,
      "a new data-quality agent",
    );
    expect(replacement?.agentId).not.toBe(agent.agentId);
    // The old agent is "stopping" while it drains, then "stopped".
    const old = await eventually(
      async () => (await api<{ status: string; statusReason: string }>("GET", `/api/agents/${agent.agentId}`)).body,
      (a) => a.status === "stopped",
      20_000,
      "the restarted agent stopped",
    );
    expect(old.statusReason).toBeTruthy();
  });

  it("lists agents by type and status through the indexes, sorted as asked, a page at a time", async () => {
    const all = await api<{ items: { agentId: string; agentType: string; status: string; registeredAt: string }[] }>(
      "GET",
      "/api/agents?limit=100",
    );
    expect(all.status).toBe(200);
    const stamps = all.body.items.map((a) => a.registeredAt);
    expect([...stamps].sort().reverse()).toEqual(stamps);
    const byType = await api<typeof all.body>("GET", "/api/agents?sort=type&limit=100");
    const types = byType.body.items.map((a) => a.agentType);
    expect(types).toEqual([...types].sort((x, y) => AGENT_TYPES.indexOf(x as never) - AGENT_TYPES.indexOf(y as never)));
    const healthy = await api<typeof all.body>("GET", "/api/agents?type=data-quality&status=healthy");
    expect(healthy.body.items.length).toBeGreaterThanOrEqual(1);
    expect(healthy.body.items.every((a) => a.agentType === "data-quality" && a.status === "healthy")).toBe(true);
    // One at a time: a Link to the next page each time, every agent once.
    const seen: string[] = [];
    let query = "sort=status&limit=1";
    for (let pages = 0; pages < 50; pages++) {
      const page = await api<typeof all.body & { nextCursor?: string }>("GET", `/api/agents?${query}`);
      seen.push(...page.body.items.map((a) => a.agentId));
      const link = page.headers.get("link");
      if (!link) break;
      query = link.slice(2, link.indexOf(">"));
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(all.body.items.map((a) => a.agentId).sort());
    expect((await api("GET", "/api/agents?status=asleep")).status).toBe(400);
  });

  it("acts on agents in bulk, a result each: accepted, not found, conflict, and forbidden to operators stopping", async () => {
    const [live] = liveManagedAgents(await fleetView(), "keyword-precision");
    const gone = (await fleetView(true)).agents.find((a) => a.status === "stopped");
    expect(live).toBeDefined();
    const ids = [live?.agentId, "no-such-agent", ...(gone ? [gone.agentId] : [])] as string[];
    const asOperator = await api<{ results: { agentId: string; outcome: string }[] }>("POST", "/api/agents/bulk", {
      token: await tokenFor("operator"),
      body: { action: "stop", agentIds: ids },
    });
    expect(asOperator.status).toBe(200);
    expect(asOperator.body.results.every((r) => r.outcome === "forbidden")).toBe(true);
    const restarted = await api<{ accepted: number; results: { agentId: string; outcome: string; status: number }[] }>(
      "POST",
      "/api/agents/bulk",
      { token: await tokenFor("operator"), body: { action: "restart", agentIds: ids } },
    );
    expect(restarted.body.results.map((r) => r.outcome)).toEqual(["accepted", "not_found", ...(gone ? ["conflict"] : [])]);
    expect(restarted.body.accepted).toBe(1);
    await fleetSettles("keyword-precision", 1);
  });

  it("refuses actions to viewers (403) and reads to no one without a token (401)", async () => {
    const [agent] = await fleetSettles("data-quality", 1);
    const viewer = await tokenFor("viewer");
    const restart = await api<{ error: { code: string } }>("POST", `/api/agents/${agent?.agentId}/restart`, { token: viewer });
    expect(restart.status).toBe(403);
    expect(restart.body.error.code).toBe("Forbidden");
    const scale = await api("PUT", "/api/agent-types/data-quality/scale", { token: viewer, body: { replicas: 3 } });
    expect(scale.status).toBe(403);
    // The viewer may look, and nothing changed.
    expect((await api("GET", "/api/agents/status", { token: viewer })).status).toBe(200);
    expect((await api("GET", "/api/agents/status", { token: null })).status).toBe(401);
    await fleetSettles("data-quality", 1);
    expect(fleetProcesses("data-quality").map((p) => p.agentId)).toEqual([agent?.agentId]);
  });

  it("answers bad requests with the field that is wrong", async () => {
    const operator = await tokenFor("operator");
    const cases: [string, string, unknown, number, string][] = [
      ["PUT", "/api/agent-types/astrologer/scale", { replicas: 1 }, 400, "pathParameters.type"],
      ["PUT", "/api/agent-types/data-quality/scale", { replicas: -1 }, 400, "replicas"],
      ["PUT", "/api/agent-types/data-quality/scale", { replicas: 1_000 }, 400, "replicas"],
      ["PUT", "/api/agent-types/data-quality/scale", { replicas: 1, extra: true }, 400, "extra"],
      ["POST", "/api/agents/no-such-agent/reboot", undefined, 400, "pathParameters.action"],
    ];
    for (const [method, path, body, status, field] of cases) {
      const response = await api<{ error: { fields?: { field: string }[] } }>(method, path, { token: operator, body });
      expect(response.status, `${method} ${path}`).toBe(status);
      expect(
        response.body.error.fields?.map((f) => f.field),
        `${method} ${path}`,
      ).toContain(field);
    }
    expect((await api("POST", "/api/agents/no-such-agent/restart", { token: operator })).status).toBe(404);
    expect((await api("GET", "/api/agents/no-such-agent")).status).toBe(404);
  });

  it("redeploys a type for an admin (an operator's redeploy and scale to 0 are 403): every agent is replaced by a new one", async () => {
    const [before] = await fleetSettles("scraping-efficiency", 1);
    const operator = await tokenFor("operator");
    expect((await api("POST", "/api/agent-types/scraping-efficiency/deploy", { token: operator })).status).toBe(403);
    const toZero = await api<{ error: { message: string } }>("PUT", "/api/agent-types/scraping-efficiency/scale", {
      token: operator,
      body: { replicas: 0 },
    });
    expect(toZero.status).toBe(403);
    expect(toZero.body.error.message).toContain("only admins");
    expect((await fleetSettles("scraping-efficiency", 1))[0]?.agentId).toBe(before?.agentId);

    const deployed = await api<{ desired: number; requestedBy: string }>("POST", "/api/agent-types/scraping-efficiency/deploy", {
      token: await tokenFor("admin"),
    });
    expect(deployed.status).toBe(202);
    expect(deployed.body).toMatchObject({ desired: 1, requestedBy: "admin" });
    const [after] = await eventually(
      () => fleetSettles("scraping-efficiency", 1),
      (agents) => agents[0]?.agentId !== before?.agentId,
      60_000,
      "a new scraping-efficiency agent",
    );
    expect(after?.agentId).not.toBe(before?.agentId);
  });
});
