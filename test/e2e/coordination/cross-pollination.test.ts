import { describe, expect, inject, it } from "vitest";
import { api, eventually, submitAsSystem, type TaskBody } from "../support/api";

const run = Date.now().toString(36);
/** A story that names its project only by a ticker: scored alone, the ticker names no project. */
const probe = (n: number) => ({
  type: "tge.score",
  agentType: "keyword-precision",
  priority: "high",
  payload: {
    fingerprint: `probe-${run}-${n}`,
    feedUrl: "https://news.example/feed.json",
    item: {
      id: `probe-${run}-${n}`,
      url: `https://news.example/qvxr-${run}-${n}`,
      title: "QVXR token generation event set for Thursday",
      content_text: "The QVXR token generation event opens claims on Thursday for early testnet users.",
      date_published: new Date().toISOString(),
    },
  },
});

async function finished(taskId: string): Promise<TaskBody> {
  const done = await eventually(
    () => api<TaskBody>("GET", `/api/tasks/${taskId}`),
    (r) => ["completed", "failed", "dead_lettered"].includes(r.body.status),
    30_000,
    `task ${taskId}`,
  );
  expect(done.body.status).toBe("completed");
  return done.body;
}

async function score(n: number): Promise<{ isTge: boolean; project?: { slug: string } }> {
  // The pipeline's task types are the system's to submit (ADR 0016): as a scraper hands an item on.
  const submitted = await submitAsSystem(probe(n), "scraping-efficiency");
  expect(submitted.status).toBe(201);
  return (await finished(submitted.body.taskId)).result as { isTge: boolean; project?: { slug: string } };
}

describe("cross-pollination (seed 001)", () => {
  it("a project data-quality validates changes keyword-precision's next decision within syncInterval", async () => {
    const syncMs = inject("config").syncInterval * 1_000;
    // Control: before the insight, the ticker alone makes no TGE.
    expect((await score(0)).isTge).toBe(false);

    // data-quality validates a candidate for Quorvex (QVXR) and shares it.
    const candidate = await submitAsSystem(
      {
        type: "tge.validate",
        agentType: "data-quality",
        priority: "high",
        payload: {
          itemId: `quorvex-${run}`,
          url: `https://news.example/quorvex-${run}`,
          title: "Quorvex (QVXR) token generation event set for March 24",
          content_text: "Quorvex, a restaking network, confirmed its QVXR token generation event and airdrop.",
          source: "news.example",
          publishedAt: new Date().toISOString(),
          score: 0.9,
          project: { slug: "quorvex", name: "Quorvex", symbol: "QVXR" },
          signals: ["e2e"],
        },
      },
      "keyword-precision",
    );
    expect(candidate.status).toBe(201);
    await finished(candidate.body.taskId);
    const validatedAt = Date.now();
    const insight = await eventually(
      () => api<{ insights: { key: string; value: unknown }[] }>("GET", "/api/coordination/insights?topic=detection.projects"),
      (r) => r.body.insights.some((i) => i.key === "quorvex"),
      10_000,
      "the validated project in the shared memory",
    );
    expect(insight.body.insights.find((i) => i.key === "quorvex")?.value).toEqual({ name: "Quorvex", symbol: "QVXR" });

    // keyword-precision's next items: within one sync interval, the same story is a TGE of Quorvex.
    let n = 1;
    let verdict = await score(n);
    while (!verdict.isTge && Date.now() - validatedAt < syncMs + 5_000) verdict = await score(++n);
    expect(verdict).toMatchObject({ isTge: true, project: { slug: "quorvex" } });
    // The scoring that saw it started within the interval (plus the task's own trip through the queue).
    expect(Date.now() - validatedAt).toBeLessThan(syncMs + 5_000);
  });
});
