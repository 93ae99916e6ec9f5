import { afterAll, describe, expect, it } from "vitest";
import { agentTypesWith } from "#kernel/agent-catalog";
import { api, cancelAllOf, eventually, submit, type TaskBody, taskUntil } from "../support/api";
import { UNATTENDED_AGENT_TYPE } from "../support/global-setup";

afterAll(() => cancelAllOf(UNATTENDED_AGENT_TYPE));

interface StatusView {
  tasksScheduled: number;
  tasksCompleted: number;
  counts: {
    byStatus: Record<string, number>;
    byPriority: Record<string, Record<string, number>>;
    byAgentType: Record<string, Record<string, number>>;
  };
  throughputPerMinute: { lastMinute: number; averageOverMinutes: number };
  averageQueueTimeMs: number | null;
  averageExecutionTimeMs: number | null;
}

describe("views", () => {
  it("GET /api/tasks/status counts tasks by status, priority and type, with timings", async () => {
    const task = await submit({ type: "diagnostics.echo", agentType: "data-quality", priority: "critical" });
    await taskUntil(task.taskId, (t) => t.status === "completed");
    const view = await eventually(
      async () => (await api<StatusView>("GET", "/api/tasks/status")).body,
      (v) => v.counts.byPriority.critical?.completed !== undefined && v.counts.byPriority.critical.completed >= 1,
      15_000,
      "the counters",
    );
    expect(view.tasksCompleted).toBeGreaterThanOrEqual(1);
    expect(view.tasksScheduled).toBe(Object.values(view.counts.byStatus).reduce((a, b) => a + b, 0));
    expect(view.counts.byAgentType["data-quality"]?.completed).toBeGreaterThanOrEqual(1);
    expect(view.averageExecutionTimeMs).toBeGreaterThanOrEqual(0);
    expect(view.averageQueueTimeMs).toBeGreaterThanOrEqual(0);
  });

  it("GET /api/tasks/queue shows every queue's depth and the age of its oldest waiting task", async () => {
    await submit({ type: "diagnostics.echo", agentType: UNATTENDED_AGENT_TYPE, priority: "normal" });
    const { status, body } = await eventually(
      () =>
        api<{ queues: { agentType: string; priority: string; visible: number; oldestAgeSeconds: number | null }[] }>(
          "GET",
          "/api/tasks/queue",
        ),
      (r) => (r.body.queues?.find((q) => q.agentType === UNATTENDED_AGENT_TYPE && q.priority === "normal")?.visible ?? 0) >= 1,
      15_000,
      "the message to show",
    );
    expect(status).toBe(200);
    expect(body.queues).toHaveLength(20);
    expect(
      body.queues.find((q) => q.agentType === UNATTENDED_AGENT_TYPE && q.priority === "normal")?.oldestAgeSeconds,
    ).toBeGreaterThanOrEqual(0);
  });

  it("GET /api/tasks filters and pages, newest first, without payloads", async () => {
    const made: TaskBody[] = [];
    for (let i = 0; i < 3; i++)
      made.push(
        await submit({ type: "diagnostics.echo", agentType: UNATTENDED_AGENT_TYPE, priority: "high", payload: { secret: i } }),
      );
    const page1 = await api<{ items: TaskBody[]; nextCursor?: string }>(
      "GET",
      `/api/tasks?agentType=${UNATTENDED_AGENT_TYPE}&priority=high&status=queued&limit=2`,
    );
    expect(page1.status).toBe(200);
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.items[0]?.taskId).toBe(made[2]?.taskId);
    expect(JSON.stringify(page1.body)).not.toContain("secret");
    const page2 = await api<{ items: TaskBody[] }>(
      "GET",
      `/api/tasks?agentType=${UNATTENDED_AGENT_TYPE}&priority=high&status=queued&limit=2&cursor=${page1.body.nextCursor}`,
    );
    expect(page2.body.items.map((t) => t.taskId)).toContain(made[0]?.taskId);
    expect((await api("GET", "/api/tasks?cursor=forged")).status).toBe(400);
    expect((await api("GET", "/api/tasks?status=sleeping")).status).toBe(400);
  });

  it("GET /api/tasks sorts by creation, last change or priority, either way, through its indexes", async () => {
    const stamp = Date.now();
    const made: TaskBody[] = [];
    for (const priority of ["low", "critical", "normal", "critical"] as const) {
      made.push(await submit({ type: "diagnostics.echo", agentType: UNATTENDED_AGENT_TYPE, priority, payload: { stamp } }));
    }
    const mine = new Set(made.map((t) => t.taskId));
    const order = async (query: string) => {
      const page = await api<{ items: (TaskBody & { priority: string; createdAt: string; updatedAt: string })[] }>(
        "GET",
        `/api/tasks?agentType=${UNATTENDED_AGENT_TYPE}&status=queued&limit=200&${query}`,
      );
      expect(page.status, query).toBe(200);
      return page.body.items.filter((t) => mine.has(t.taskId));
    };
    const [a, b, c, d] = made.map((t) => t.taskId);
    expect((await order("sort=created")).map((t) => t.taskId)).toEqual([d, c, b, a]);
    expect((await order("sort=created&order=asc")).map((t) => t.taskId)).toEqual([a, b, c, d]);
    expect((await order("sort=priority")).map((t) => t.taskId)).toEqual([d, b, c, a]);
    expect((await order("sort=priority&order=asc")).map((t) => t.taskId)).toEqual([a, c, b, d]);
    // Cancel the oldest: it becomes the one changed last, and leaves the queued list.
    await api("POST", `/api/tasks/${a}/cancel`);
    const updated = await api<{ items: { taskId: string; updatedAt: string }[] }>(
      "GET",
      `/api/tasks?agentType=${UNATTENDED_AGENT_TYPE}&sort=updated&limit=10`,
    );
    expect(updated.body.items[0]?.taskId).toBe(a);
    const stamps = updated.body.items.map((t) => t.updatedAt);
    expect([...stamps].sort().reverse()).toEqual(stamps);
  });

  it("POST /api/tasks/batch answers each item on its own", async () => {
    const { status, body } = await api<{
      summary: Record<string, number>;
      results: { index: number; status: number; error?: { fields?: { field: string }[] } }[];
    }>("POST", "/api/tasks/batch", {
      body: {
        tasks: [
          { type: "diagnostics.echo", agentType: "data-quality" },
          { type: "diagnostics.echo", agentType: "astrologer" },
          { type: "diagnostics.echo", agentType: "data-quality", payload: { blob: "x".repeat(205_000) } },
        ],
      },
    });
    expect(status).toBe(200);
    expect(body.results.map((r) => r.status)).toEqual([201, 400, 413]);
    expect(body.results[1]?.error?.fields?.[0]?.field).toBe("agentType");
    expect(body.summary).toEqual({ total: 3, created: 1, replayed: 0, refused: 2 });
    expect((await api("POST", "/api/tasks/batch", { body: { tasks: [] } })).status).toBe(400);
  });

  it("routes a task that names a capability to an agent type that has it", async () => {
    const task = await submit({ type: "diagnostics.echo", capability: "tge-scoring" });
    expect(agentTypesWith("tge-scoring")).toContain(task.agentType);
    expect(await taskUntil(task.taskId, (t) => t.status === "completed")).toMatchObject({ agentType: task.agentType });
  });
});
