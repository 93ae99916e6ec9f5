import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Frame, WsClient } from "../../../scripts/local/ws-client";
import { cancelAllOf, eventually, outputs, submit, tokenFor } from "../support/api";
import { invokeFunction } from "../support/fleet";
import { ATTENDED_AGENT_TYPES, UNATTENDED_AGENT_TYPE } from "../support/global-setup";
import { MetricsSnapshot } from "#kernel/bus/metrics-snapshot";

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

  it("arrives every minute without being asked (the schedule runs on the emulator too)", { timeout: 80_000 }, async () => {
    const scheduled = await client.waitFor(
      (f: Frame) => f.type === "metrics" && !asked.has(String(f.data.at)),
      75_000,
      "a scheduled metrics frame",
    );
    expect(MetricsSnapshot.safeParse(scheduled.data).success).toBe(true);
  });
});
