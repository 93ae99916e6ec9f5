import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Frame, WsClient } from "../../../scripts/local/ws-client";
import { api, outputs, submit, submitAsSystem, taskUntil, tokenFor } from "../support/api";
import { invokeFunction } from "../support/fleet";
import type { Recommendation } from "#kernel/bus/optimization";

describe("metrics reviews", () => {
  let client: WsClient;

  beforeAll(async () => {
    client = await WsClient.connect(outputs().WebSocketUrl, await tokenFor("viewer"));
    await client.subscribe(["optimizations"]);
  });
  afterAll(() => client?.close());

  it("proposes a gentler retry backoff for a type that keeps failing, and announces it", async () => {
    // GIVEN a type that fails well over 10% of its tasks (twenty at least, and a fifth of what it ever completed)
    const status = await api<{ counts: { byAgentType: Record<string, Record<string, number>> } }>("GET", "/api/tasks/status");
    const completed = status.body.counts.byAgentType["data-quality"]?.completed ?? 0;
    let toFail = Math.max(20, Math.ceil(completed / 5));
    while (toFail > 0) {
      // In rounds: the e2e stage refuses more than 30 queued tasks per type.
      const round = await Promise.all(
        Array.from({ length: Math.min(toFail, 20) }, () =>
          submit({
            type: "diagnostics.fail",
            agentType: "data-quality",
            payload: { message: "upstream down", retryable: false },
          }),
        ),
      );
      await Promise.all(round.map((t) => taskUntil(t.taskId, (task) => task.status === "failed", 30_000)));
      toFail -= round.length;
    }

    // WHEN api-reliability reviews the metrics
    // metrics.review is the schedule's to submit (ADR 0016): the test submits as the system does.
    const review = (await submitAsSystem({ type: "metrics.review", agentType: "api-reliability", priority: "high" })).body;
    const done = await taskUntil(review.taskId, (t) => t.status === "completed", 30_000, "the review");

    // THEN it proposes a longer backoff for data-quality, with its evidence…
    const proposals = (done.result as { recommendations: Recommendation[] }).recommendations;
    const backoff = proposals.find((r) => r.agentType === "data-quality" && r.setting === "retryBaseDelaySeconds");
    expect(backoff).toMatchObject({ currentValue: 1, proposedValue: 2, risk: "low" });
    // …and the dashboard shows the proposal
    const frame = await client.waitFor(
      (f: Frame) => f.type === "optimization_proposed" && f.data.recommendationId === backoff?.recommendationId,
      15_000,
      "optimization_proposed",
    );
    expect(frame.data).toMatchObject({ proposedBy: { agentType: "api-reliability" }, evidence: backoff?.evidence });
  });

  it("the schedule asks both reviewers once per minute, however often it fires", async () => {
    const at = new Date().toISOString();
    const first = await invokeFunction<{ submitted: string[] }>(outputs().MetricsReviewFunctionName, { time: at });
    const again = await invokeFunction<{ submitted: string[] }>(outputs().MetricsReviewFunctionName, { time: at });
    expect(first.submitted).toHaveLength(2);
    expect(again.submitted).toEqual([]);
    const tasks = await Promise.all(
      first.submitted.map(async (id) => (await api<{ agentType: string }>("GET", `/api/tasks/${id}`)).body),
    );
    expect(tasks.map((t) => t.agentType).sort()).toEqual(["api-reliability", "performance-optimizer"]);
    // No performance-optimizer runs in this stage: withdraw its review so the type's queue stays empty for other tests.
    for (const task of tasks) {
      const id = first.submitted[tasks.indexOf(task)];
      if (task.agentType === "performance-optimizer") await api("POST", `/api/tasks/${id}/cancel`, { body: { reason: "e2e" } });
      else await taskUntil(String(id), (t) => t.status === "completed", 30_000, "the scheduled review");
    }
  });
});
