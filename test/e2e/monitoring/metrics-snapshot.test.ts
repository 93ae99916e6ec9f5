import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Frame, WsClient } from "../../../scripts/local/ws-client";
import { api, cancelAllOf, eventually, outputs, submit, tokenFor } from "../support/api";
import { invokeFunction } from "../support/fleet";
import { ATTENDED_AGENT_TYPES, UNATTENDED_AGENT_TYPE } from "../support/global-setup";
import { MetricsSnapshot } from "#kernel/bus/metrics-snapshot";
import { pointOf, SystemMetricsView } from "#monitoring/domain/system-metrics";

const QUEUED = 3;
const PRIORITY = "low";

describe("metrics snapshot", () => {
  let client: WsClient;

  beforeAll(async () => {
    client = await WsClient.connect(outputs().WebSocketUrl, await tokenFor("viewer"));
    await client.subscribe(["metrics_only"]);
  });
  afterAll(async () => {
    client?.close();
    await cancelAllOf(UNATTENDED_AGENT_TYPE);
  });

  /** Snapshots this file asked for, by `at`; any other came from the schedule. */
  const asked = new Set<string>();
  const snapshotNow = async () => {
    const snapshot = await invokeFunction<MetricsSnapshot>(outputs().MetricsSnapshotFunctionName);
    asked.add(snapshot.at);
    return snapshot;
  };
  const rowOf = (snapshot: MetricsSnapshot) =>
    snapshot.queues.find((q) => q.agentType === UNATTENDED_AGENT_TYPE && q.priority === PRIORITY);

  it("reaches metrics_only subscribers as `metrics`, showing the tasks waiting on a queue no agent reads", async () => {
    // GIVEN the queue's depth now (messages of earlier tests may wait on it: nothing consumes it)
    const baseline = await snapshotNow();
    const before = rowOf(baseline);
    expect(before).toBeDefined();

    // WHEN three tasks are queued for the type no agent runs, and a snapshot is taken once they are on the queue
    const submitted = await Promise.all(
      Array.from({ length: QUEUED }, (_, i) =>
        submit({ type: "diagnostics.echo", agentType: UNATTENDED_AGENT_TYPE, priority: PRIORITY, payload: { i } }),
      ),
    );
    // (The relay sends the messages and then updates the counters: wait for both.)
    const queuedBefore = baseline.tasks.byPriority[PRIORITY].queued;
    const snapshot = await eventually(
      snapshotNow,
      (s) =>
        (rowOf(s)?.visible ?? 0) >= (before?.visible ?? 0) + QUEUED &&
        s.tasks.byPriority[PRIORITY].queued >= queuedBefore + QUEUED,
      20_000,
      `${QUEUED} more messages visible on ${UNATTENDED_AGENT_TYPE}/${PRIORITY}, and counted as queued`,
    );

    // THEN the dashboard receives that very snapshot, as the schema says it is
    const frame = await client.waitFor(
      (f: Frame) => f.type === "metrics" && f.data.at === snapshot.at,
      15_000,
      "the metrics frame of the snapshot",
    );
    expect(frame.seq).toBeGreaterThan(0);
    const shown = MetricsSnapshot.parse(frame.data);
    expect(shown).toEqual(snapshot);
    // …with the queue's depth, and the age of its oldest task (queued within this test)
    const row = rowOf(shown);
    expect(row?.visible).toBeGreaterThanOrEqual((before?.visible ?? 0) + QUEUED);
    expect(row?.oldestAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(row?.oldestAgeSeconds).toBeLessThan(60);
    // …and the tasks counted as queued
    expect(shown.tasks.byPriority[PRIORITY].queued).toBeGreaterThanOrEqual(queuedBefore + QUEUED);
    expect(shown.tasks.byStatus.queued).toBeGreaterThanOrEqual(shown.tasks.byPriority[PRIORITY].queued);
    // …and the agents the fleet runs: one healthy (or still starting) agent per attended type, none for the unattended one
    for (const agentType of ATTENDED_AGENT_TYPES) {
      const live = shown.agents.filter(
        (a) => a.agentType === agentType && ["starting", "healthy", "degraded"].includes(a.status),
      );
      expect(
        live.reduce((n, a) => n + a.count, 0),
        agentType,
      ).toBeGreaterThanOrEqual(1);
    }
    expect(shown.agents.filter((a) => a.agentType === UNATTENDED_AGENT_TYPE).every((a) => a.count === 0)).toBe(true);
    expect(submitted.map((t) => t.status)).toEqual(Array(QUEUED).fill("queued"));
  });

  it("is not sent to a client subscribed to other topics only", async () => {
    // GIVEN a client that follows tasks only
    const other = await WsClient.connect(outputs().WebSocketUrl, await tokenFor("viewer"));
    try {
      await other.subscribe(["tasks"]);

      // WHEN a snapshot is published and the metrics subscriber has received it
      const snapshot = await snapshotNow();
      await client.waitFor((f: Frame) => f.type === "metrics" && f.data.at === snapshot.at, 15_000, "the metrics frame");

      // THEN the other client got no metrics frame for it
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(other.frames.filter((f) => f.type === "metrics")).toEqual([]);
    } finally {
      other.close();
    }
  });

  it("is kept as a point that GET /api/metrics/system serves, for a viewer, with the fleet's utilization and the open connections", async () => {
    const snapshot = await snapshotNow();
    // The client above is connected, and every attended type runs an agent.
    expect(snapshot.connections).toBeGreaterThanOrEqual(1);
    expect(snapshot.utilization.liveAgents).toBeGreaterThanOrEqual(ATTENDED_AGENT_TYPES.length);
    expect(snapshot.utilization.slots).toBeGreaterThanOrEqual(snapshot.utilization.liveAgents);

    // The point is kept by the recorder the bus delivers the snapshot to: it is there within seconds.
    const viewer = await tokenFor("viewer");
    const answer = await eventually(
      () => api<SystemMetricsView>("GET", "/api/metrics/system?window=5m", { token: viewer }),
      (r) => r.status !== 200 || r.body.series.some((point) => point.at === snapshot.at),
      15_000,
      "the snapshot's point in the 5 minute view",
    );
    expect(answer.status).toBe(200);
    const view = SystemMetricsView.parse(answer.body);
    expect(view).toMatchObject({ window: "5m", resolutionSeconds: 60 });
    expect(view.series.find((point) => point.at === snapshot.at)).toEqual(pointOf(snapshot));
    expect(view.summary.minutes).toBe(view.series.length);
    expect(view.summary.connections.max).toBeGreaterThanOrEqual(1);
    // The default window is the hour, and a day folds into five-minute points.
    expect((await api<SystemMetricsView>("GET", "/api/metrics/system", { token: viewer })).body.window).toBe("1h");
    expect(
      (await api<SystemMetricsView>("GET", "/api/metrics/system?window=24h", { token: viewer })).body.resolutionSeconds,
    ).toBe(300);

    // Controls: a window it does not know is a 400 naming it; no token is a 401.
    const bad = await api<{ error: { fields: { field: string }[] } }>("GET", "/api/metrics/system?window=7d", { token: viewer });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("window");
    expect((await api("GET", "/api/metrics/system", { token: null })).status).toBe(401);
  });

  it("arrives every minute without being asked (the schedule runs on the emulator too)", { timeout: 80_000 }, async () => {
    const scheduled = await client.waitFor(
      (f: Frame) => f.type === "metrics" && !asked.has(String(f.data.at)),
      75_000,
      "a scheduled metrics frame",
    );
    expect(MetricsSnapshot.safeParse(scheduled.data).success).toBe(true);
  });
});
