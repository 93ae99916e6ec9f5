import { describe, expect, it } from "vitest";
import type { ServerEvent, ServerEventType } from "#realtime/published/protocol";
import {
  agentCounts,
  applyEvent,
  applyFleetSnapshot,
  applyPendingApprovals,
  applyQueueSnapshot,
  applyTaskPage,
  type DashboardState,
  initialState,
  LIMITS,
  queueDepthByPriority,
} from "../../../web/src/state";
import { MetricsSnapshot, type QueueRow } from "#kernel/bus/metrics-snapshot";
import type { OptimizationAwaitingApproval, OptimizationCompleted } from "#kernel/bus/optimization";
import { AGENT_TYPES } from "#kernel/agent-catalog";
import { PRIORITIES, TASK_STATUSES } from "#kernel/task-vocabulary";
import type { TaskUpdated } from "#kernel/bus/task-updated";

let seq = 0;
const event = (type: ServerEventType, data: unknown, timestamp = "2025-06-01T12:00:00.000Z"): ServerEvent => ({
  type,
  seq: ++seq,
  timestamp,
  data,
});
const apply = (state: DashboardState, ...events: ServerEvent[]) => events.reduce(applyEvent, state);

const task = (overrides: Partial<TaskUpdated> = {}): TaskUpdated => ({
  taskId: "task-1",
  version: 1,
  type: "diagnostics.echo",
  agentType: "data-quality",
  priority: "high",
  status: "queued",
  previousStatus: null,
  attempt: 1,
  attemptsAllowed: 4,
  submittedBy: "admin",
  createdAt: "2025-06-01T12:00:00.000Z",
  updatedAt: "2025-06-01T12:00:00.000Z",
  ...overrides,
});

/** A snapshot as the monitoring context publishes it (parsed with the kernel's schema), with these queue rows. */
const snapshot = (at: string, queues: QueueRow[]): MetricsSnapshot => {
  const byStatus = Object.fromEntries(TASK_STATUSES.map((status) => [status, 0]));
  return MetricsSnapshot.parse({
    at,
    tasks: {
      byStatus,
      byPriority: Object.fromEntries(PRIORITIES.map((priority) => [priority, byStatus])),
      throughputPerMinute: { lastMinute: 0, averageOverMinutes: 0, minutes: 5 },
      averageQueueTimeMs: null,
      averageExecutionTimeMs: null,
    },
    queues,
    agents: AGENT_TYPES.map((agentType) => ({ agentType, status: "healthy", count: 1 })),
    utilization: { liveAgents: AGENT_TYPES.length, busyAgents: 0, slots: 3 * AGENT_TYPES.length, slotsInUse: 0 },
    connections: 1,
  });
};

const queueRow = (overrides: Partial<QueueRow>): QueueRow => ({
  agentType: "data-quality",
  priority: "normal",
  visible: 0,
  inFlight: 0,
  delayed: 0,
  deadLetters: 0,
  oldestAgeSeconds: null,
  ...overrides,
});

describe("recent tasks", () => {
  it("shows a task's latest status, whatever order its updates arrive in", () => {
    // GIVEN a task's updates, completed first (the bus does not keep order)
    const state = apply(
      initialState(),
      event("task_update", task({ version: 3, status: "completed", previousStatus: "running" })),
      event("task_update", task({ version: 1, status: "queued" })),
      event("task_update", task({ version: 2, status: "running", previousStatus: "queued" })),
    );
    // THEN one row, at the newest version
    expect(state.tasks).toHaveLength(1);
    expect(state.tasks[0]).toMatchObject({ taskId: "task-1", status: "completed", version: 3 });
  });

  it("lists newest first and keeps at most LIMITS.tasks", () => {
    const events = Array.from({ length: LIMITS.tasks + 5 }, (_, i) =>
      event(
        "task_update",
        task({ taskId: `t${String(i).padStart(3, "0")}`, createdAt: new Date(Date.UTC(2025, 5, 1, 12, 0, i)).toISOString() }),
      ),
    );
    const state = apply(initialState(), ...events);
    expect(state.tasks).toHaveLength(LIMITS.tasks);
    expect(state.tasks[0]?.taskId).toBe(`t0${LIMITS.tasks + 4}`);
    expect(state.tasks.at(-1)?.taskId).toBe("t005");
  });

  it("merges the API's recent tasks with what events already said", () => {
    const live = apply(initialState(), event("task_update", task({ version: 3, status: "completed" })));
    const state = applyTaskPage(live, [
      task({ version: 1, status: "queued" }),
      task({ taskId: "older", createdAt: "2025-06-01T11:00:00.000Z" }),
    ]);
    expect(state.tasks.map((t) => [t.taskId, t.status])).toEqual([
      ["task-1", "completed"],
      ["older", "queued"],
    ]);
  });

  it("marks a listed task with the seq of the event that repeats its write, and changes nothing else", () => {
    // GIVEN the API listed the task at version 3
    const listed = applyTaskPage(initialState(), [task({ version: 3, status: "completed" })]);
    expect(listed.tasks[0]?.seq).toBeUndefined();
    // WHEN the stream (or a replay) brings the events of that task
    const state = apply(
      listed,
      event("task_update", task({ version: 2, status: "running" })),
      event("task_update", task({ version: 3, status: "completed" })),
    );
    // THEN the row stays completed and carries the seq of version 3's event
    expect(state.tasks).toHaveLength(1);
    expect(state.tasks[0]).toMatchObject({ status: "completed", version: 3, seq: seq });
    expect(apply(state, event("task_update", task({ version: 3, status: "completed" })))).toBe(state);
  });

  it("counts, rather than applies, an update it cannot read", () => {
    const state = apply(initialState(), event("task_update", { taskId: 42 }));
    expect(state.tasks).toEqual([]);
    expect(state.unreadable).toBe(1);
  });

  it("shows a status it does not know yet instead of dropping the task", () => {
    const state = apply(initialState(), event("task_update", { ...task(), status: "paused" }));
    expect(state.tasks[0]?.status).toBe("paused");
  });
});

describe("agents", () => {
  const snapshot = {
    generatedAt: "2025-06-01T12:00:00.000Z",
    types: [{ agentType: "data-quality", desired: 2, running: 2 }],
    agents: [
      { agentId: "a1", agentType: "data-quality", status: "healthy", version: 4, heartbeatAt: "2025-06-01T11:59:59.000Z" },
      { agentId: "a2", agentType: "data-quality", status: "starting", version: 1, heartbeatAt: "2025-06-01T11:59:59.000Z" },
    ],
  };

  it("counts agents by type and status from the snapshot, then from agent_status events", () => {
    // GIVEN the fleet snapshot
    let state = applyFleetSnapshot(initialState(), snapshot);
    // WHEN a2 becomes healthy and a1 degrades
    state = apply(
      state,
      event(
        "agent_status",
        { agentId: "a2", agentType: "data-quality", status: "healthy", previousStatus: "starting", version: 2 },
        "2025-06-01T12:00:05.000Z",
      ),
      event(
        "agent_status",
        { agentId: "a1", agentType: "data-quality", status: "degraded", previousStatus: "healthy", version: 5 },
        "2025-06-01T12:00:06.000Z",
      ),
    );
    // THEN
    const row = agentCounts(state).find((r) => r.agentType === "data-quality");
    expect(row).toMatchObject({ desired: 2, running: 2, total: 2, byStatus: { healthy: 1, degraded: 1, starting: 0 } });
  });

  it("ignores an agent_status older than what it shows", () => {
    const state = apply(
      applyFleetSnapshot(initialState(), snapshot),
      event("agent_status", { agentId: "a1", agentType: "data-quality", status: "starting", version: 1 }),
    );
    expect(state.agents.a1?.status).toBe("healthy");
  });

  it("lists every agent type, zeros included, so the panel keeps its shape", () => {
    const rows = agentCounts(initialState());
    expect(rows.map((r) => r.agentType)).toEqual(
      expect.arrayContaining(["data-quality", "keyword-precision", "performance-optimizer"]),
    );
    expect(rows.every((r) => r.total === 0)).toBe(true);
  });

  it("drops agents a newer snapshot leaves out, but keeps those an event confirmed after it", () => {
    let state = applyFleetSnapshot(initialState(), snapshot);
    state = apply(
      state,
      event(
        "agent_status",
        { agentId: "a3", agentType: "data-quality", status: "starting", version: 1 },
        "2025-06-01T12:01:30.000Z",
      ),
    );
    state = applyFleetSnapshot(state, {
      ...snapshot,
      generatedAt: "2025-06-01T12:01:00.000Z",
      agents: snapshot.agents.slice(0, 1),
    });
    expect(Object.keys(state.agents).sort()).toEqual(["a1", "a3"]);
  });
});

describe("queues", () => {
  it("sums depth per priority over agent types, from the queue view", () => {
    const state = applyQueueSnapshot(initialState(), {
      generatedAt: "2025-06-01T12:00:00.000Z",
      queues: [
        queueRow({ priority: "high", visible: 3, inFlight: 1, oldestAgeSeconds: 12 }),
        queueRow({ agentType: "keyword-precision", priority: "high", visible: 2, deadLetters: 1, oldestAgeSeconds: 40 }),
        queueRow({ priority: "low", delayed: 5 }),
      ],
    });
    const byPriority = Object.fromEntries(queueDepthByPriority(state).map((row) => [row.priority, row]));
    expect(Object.keys(byPriority)).toEqual(["critical", "high", "normal", "low"]);
    expect(byPriority.high).toMatchObject({ visible: 5, inFlight: 1, deadLetters: 1, oldestAgeSeconds: 40 });
    expect(byPriority.low).toMatchObject({ visible: 0, delayed: 5, oldestAgeSeconds: null });
    expect(byPriority.critical).toMatchObject({ visible: 0 });
  });

  it("takes a metrics snapshot's queue rows (MetricsSnapshot.queues)", () => {
    const state = apply(
      initialState(),
      event("metrics", snapshot("2025-06-01T12:01:00.000Z", [queueRow({ priority: "critical", visible: 7 })])),
    );
    expect(queueDepthByPriority(state)[0]).toMatchObject({ priority: "critical", visible: 7 });
    expect(state.queues.asOf).toBe("2025-06-01T12:01:00.000Z");
    expect(state.unreadable).toBe(0);
  });

  it("counts a metrics frame that is not a MetricsSnapshot as unreadable, and leaves the panel as it was", () => {
    const shown = applyQueueSnapshot(initialState(), {
      generatedAt: "2025-06-01T12:05:00.000Z",
      queues: [queueRow({ priority: "high", visible: 9 })],
    });

    // Shapes the page used to guess at: depth by priority, by type then priority, a snapshot without its tasks.
    const after = apply(
      shown,
      event("metrics", { queues: { critical: 2, high: { depth: 4 } } }),
      event("metrics", { queues: { "data-quality": { low: 1 } } }),
      event("metrics", { at: "2025-06-01T12:06:00.000Z", queues: [queueRow({ priority: "high", visible: 1 })] }),
    );

    expect(after.queues).toEqual(shown.queues);
    expect(after.unreadable).toBe(3);
  });

  it("never goes back in time: an older snapshot than the figures shown changes nothing", () => {
    const shown = applyQueueSnapshot(initialState(), {
      generatedAt: "2025-06-01T12:05:00.000Z",
      queues: [queueRow({ priority: "high", visible: 9 })],
    });
    const older = apply(
      shown,
      event("metrics", snapshot("2025-06-01T12:00:00.000Z", [queueRow({ priority: "high", visible: 1 })])),
    );
    expect(queueDepthByPriority(older).find((r) => r.priority === "high")?.visible).toBe(9);
    expect(older.unreadable).toBe(0);
  });
});

describe("alerts, optimizations and detections", () => {
  it("keeps alerts newest first", () => {
    const state = apply(
      initialState(),
      event("system_alert", {
        severity: "warning",
        source: "tasks",
        title: "old",
        message: "m",
        resource: {},
        raisedAt: "2025-06-01T10:00:00.000Z",
      }),
      event("system_alert", {
        severity: "critical",
        source: "agents",
        title: "new",
        message: "m",
        resource: {},
        raisedAt: "2025-06-01T11:00:00.000Z",
      }),
    );
    expect(state.alerts.map((a) => a.title)).toEqual(["new", "old"]);
  });

  it("shows an alert heard twice (loaded from the history, then live) once", () => {
    const alert = event("system_alert", {
      severity: "critical",
      source: "cloudwatch",
      title: "dead letters",
      message: "m",
      resource: {},
      raisedAt: "2025-06-01T10:00:00.000Z",
    });
    expect(apply(initialState(), alert, alert).alerts).toHaveLength(1);
  });

  it("settles a proposal with its result", () => {
    const proposal = {
      recommendationId: "r1",
      proposedBy: { agentId: "a", agentType: "performance-optimizer" },
      setting: "maxReceiveCount",
      currentValue: 5,
      proposedValue: 3,
      risk: "low",
      rationale: "few poison messages",
      evidence: {},
      proposedAt: "2025-06-01T12:00:00.000Z",
    };
    const proposed = apply(initialState(), event("optimization_proposed", proposal));
    expect(proposed.optimizations[0]).toMatchObject({ recommendationId: "r1", proposedValue: 3 });
    expect(proposed.optimizations[0]?.outcome).toBeUndefined();
    const result: OptimizationCompleted = {
      recommendationId: "r1",
      outcome: "applied",
      reason: "verified: no poison messages in 10 minutes",
      decidedBy: "operator",
      completedAt: "2025-06-01T12:20:00.000Z",
    };
    const settled = apply(proposed, event("optimization_result", result));
    expect(settled.optimizations).toHaveLength(1);
    expect(settled.optimizations[0]).toMatchObject({
      recommendationId: "r1",
      setting: "maxReceiveCount",
      proposedAt: "2025-06-01T12:00:00.000Z",
      outcome: "applied",
      outcomeDetail: "verified: no poison messages in 10 minutes",
      decidedBy: "operator",
      completedAt: "2025-06-01T12:20:00.000Z",
    });
  });

  it("shows a result whose proposal it never heard as a run of its own", () => {
    const state = apply(
      initialState(),
      event("optimization_result", {
        recommendationId: "r9",
        outcome: "rolled_back",
        reason: "verification failed: error rate rose",
        completedAt: "2025-06-01T12:30:00.000Z",
      } satisfies OptimizationCompleted),
    );
    expect(state.optimizations).toEqual([
      {
        recommendationId: "r9",
        proposedAt: "2025-06-01T12:30:00.000Z",
        outcome: "rolled_back",
        outcomeDetail: "verification failed: error rate rose",
        completedAt: "2025-06-01T12:30:00.000Z",
      },
    ]);
  });

  it("counts a result that is not an OptimizationCompleted as unreadable, settling nothing", () => {
    const proposed = apply(
      initialState(),
      event("optimization_proposed", {
        recommendationId: "r1",
        setting: "maxReceiveCount",
        currentValue: 5,
        proposedValue: 3,
        risk: "low",
        proposedAt: "2025-06-01T12:00:00.000Z",
      }),
    );

    // What the page once guessed at: `status` for the outcome, an outcome the pipeline never gives, no reason.
    const after = apply(
      proposed,
      event("optimization_result", { recommendationId: "r1", status: "applied" }),
      event("optimization_result", {
        recommendationId: "r1",
        outcome: "done",
        reason: "x",
        completedAt: "2025-06-01T12:20:00.000Z",
      }),
      event("optimization_result", { recommendationId: "r1", outcome: "applied", completedAt: "2025-06-01T12:20:00.000Z" }),
    );

    expect(after.optimizations).toEqual(proposed.optimizations);
    expect(after.unreadable).toBe(3);
  });

  it("shows one row per detected event, however often it is announced", () => {
    const detection = {
      detectionId: "d1",
      eventKey: "brindle",
      project: { slug: "brindle", name: "Brindle", symbol: "BRDL" },
      headline: "Brindle sets its TGE",
      summary: "",
      url: "https://news.example/brindle",
      source: "example",
      publishedAt: "2025-06-01T11:00:00.000Z",
      detectedAt: "2025-06-01T11:00:05.000Z",
      score: 0.9,
      signals: [],
      itemIds: ["i1"],
    };
    const state = apply(
      initialState(),
      event("tge_detected", detection),
      event("tge_detected", { ...detection, itemIds: ["i1", "i2"] }),
    );
    expect(state.detections).toHaveLength(1);
  });

  it("ignores room events", () => {
    const state = initialState();
    expect(applyEvent(state, event("room_message", { room: "ops", message: "hi" }))).toBe(state);
  });
});

describe("approvals", () => {
  const pending: OptimizationAwaitingApproval = {
    recommendationId: "opt-7",
    title: "Raise the TGE threshold",
    target: "detection-keywords",
    fromVersion: "v1",
    risk: "medium",
    severity: "medium",
    summary: ["replace /threshold: 0.5 → 0.6"],
    requestedAt: "2025-06-01T12:00:00.000Z",
    approvalDeadline: "2025-06-01T12:15:00.000Z",
  };
  const row = {
    recommendationId: "opt-7",
    title: pending.title,
    target: pending.target,
    fromVersion: "v1",
    risk: "medium",
    summary: [],
  };

  it("lists a recommendation from optimization_pending, and drops it when its result comes", () => {
    const waiting = apply(initialState(), event("optimization_pending", pending));
    expect(waiting.approvals["opt-7"]).toMatchObject({ risk: "medium", summary: pending.summary });

    const settled = apply(
      waiting,
      event("optimization_result", {
        recommendationId: "opt-7",
        outcome: "applied",
        reason: "ok",
        completedAt: pending.requestedAt,
      }),
    );
    expect(settled.approvals).toEqual({});
  });

  it("does not bring back a settled recommendation from a pending list loaded before its result", () => {
    const settled = apply(
      initialState(),
      event("optimization_result", {
        recommendationId: "opt-7",
        outcome: "rejected",
        reason: "no",
        completedAt: pending.requestedAt,
      }),
    );
    expect(applyPendingApprovals(settled, [row]).approvals).toEqual({});
    // The control: without the result, the same list adds it.
    expect(Object.keys(applyPendingApprovals(initialState(), [row]).approvals)).toEqual(["opt-7"]);
  });

  it("keeps the event's patch lines when the list (which has none) arrives after it", () => {
    const waiting = apply(initialState(), event("optimization_pending", pending));
    expect(applyPendingApprovals(waiting, [row]).approvals["opt-7"]?.summary).toEqual(pending.summary);
  });
});
