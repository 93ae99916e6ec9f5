import { describe, expect, it } from "vitest";
import { PUBLIC, routeKey, versioned } from "#shared/routes";
import { ALL_ROUTES } from "../../../scripts/openapi/route-tables";
import { api, eventually, submit, taskUntil } from "../support/api";
import { UNATTENDED_AGENT_TYPE } from "../support/global-setup";

interface ErrorBody {
  error: { code: string };
}

/** A real value for each path parameter the GET routes take, so each answers 200. */
async function realPaths(): Promise<Map<string, string>> {
  const task = await submit({ type: "diagnostics.echo", agentType: "data-quality", payload: { for: "etag" } });
  await taskUntil(task.taskId, (t) => t.status === "completed");
  const fleet = await api<{ agents: { agentId: string }[] }>("GET", "/api/agents/status");
  const agentId = fleet.body.agents[0]?.agentId;
  if (!agentId) throw new Error("no agent runs in the e2e stage");
  // A recommendation that waits for a decision and then expires: it changes nothing.
  const thresholds = await api<{ version: string }>("GET", "/api/settings/review-thresholds");
  const recommended = await api<{ recommendationId: string }>("POST", "/api/optimizations", {
    body: {
      type: "performance",
      severity: "medium",
      title: "etag",
      document: "review-thresholds",
      baseVersion: thresholds.body.version,
      patch: [{ op: "replace", path: "/failureRate", value: 0.3 }],
      confidence: 0.5,
    },
  });
  // A file uploaded through its form and validated, so its record and its download answer 200.
  const body = new Blob(["{}"]);
  const asked = await api<{ files: { file: { fileId: string }; upload: { url: string; fields: Record<string, string> } }[] }>(
    "POST",
    "/api/files/uploads",
    { body: { files: [{ name: "etag.json", size: 2, contentType: "application/json", fileType: "dataset" }] } },
  );
  const [upload] = asked.body.files;
  if (!upload) throw new Error(`uploads answered ${asked.status}`);
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.upload.fields)) form.append(name, value);
  form.append("file", body, "etag.json");
  await fetch(upload.upload.url, { method: "POST", body: form, signal: AbortSignal.timeout(15_000) });
  const fileId = upload.file.fileId;
  await eventually(
    async () => (await api<{ status: string }>("GET", `/api/files/${fileId}`)).body,
    (file) => file.status !== "pending",
    30_000,
    "the uploaded file's verdict",
  );
  // A scorer-training job, short, whose model version the registry then holds.
  const job = await api<{ jobId: string }>("POST", "/api/jobs", {
    body: { type: "scorer-training", parameters: { datasets: ["fixture:tge-news"], candidates: 3, modelName: "etag-scorer" } },
  });
  const version = await eventually(
    async () => (await api<{ items: { version: string; jobId: string }[] }>("GET", "/api/models/etag-scorer/versions")).body,
    (page) => page.items?.some((v) => v.jobId === job.body.jobId) ?? false,
    90_000,
    "the trained model's version",
  );
  return new Map([
    ["jobId", job.body.jobId],
    ["modelName", "etag-scorer"],
    ["version", version.items.find((v) => v.jobId === job.body.jobId)?.version ?? "v1"],
    ["fileId", fileId],
    ["taskId", task.taskId],
    ["agentId", agentId],
    ["recommendationId", recommended.body.recommendationId],
    ["name", "runtime-settings"],
  ]);
}

describe("API conventions", () => {
  it("every GET answers an ETag, and 304 with no body to it, until the answer changes", async () => {
    const values = await realPaths();
    const gets = ALL_ROUTES.filter((route) => route.method === "GET");
    expect(gets.length).toBeGreaterThanOrEqual(12);
    for (const route of gets) {
      // `{name}` is a settings document's name, or under /api/models a model's.
      const valueOf = (name: string) => (name === "name" && route.path.startsWith("/api/models") ? "modelName" : name);
      const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => values.get(valueOf(name)) ?? name);
      const first = await api<unknown>("GET", path);
      expect(first.status, routeKey(route)).toBe(200);
      const etag = first.headers.get("etag");
      expect(etag, routeKey(route)).toMatch(/^"/);
      expect(first.headers.get("cache-control"), routeKey(route)).toBeTruthy();
      const again = await api<unknown>("GET", path, { headers: { "if-none-match": etag as string } });
      // Views that move on their own (status counters, fleet, health) may have changed meanwhile.
      expect([304, 200], routeKey(route)).toContain(again.status);
      if (again.status === 304) expect(again.body).toBeUndefined();
    }
    // One that cannot change between two reads: a finished task.
    const taskPath = `/api/tasks/${values.get("taskId")}`;
    const task = await api("GET", taskPath);
    expect(task.headers.get("cache-control")).toBe("private, max-age=300");
    const cached = await api("GET", taskPath, { headers: { "if-none-match": task.headers.get("etag") as string } });
    expect(cached.status).toBe(304);
    expect(cached.headers.get("etag")).toBe(task.headers.get("etag"));
    const stale = await api("GET", taskPath, { headers: { "if-none-match": '"something-else"' } });
    expect(stale.status).toBe(200);
  });

  it("cancels with If-Match only the version the client saw: 412 once the task changed", async () => {
    const task = await submit({ type: "diagnostics.sleep", agentType: "data-quality", payload: { ms: 4_000 } });
    const seen = await api("GET", `/api/tasks/${task.taskId}`);
    const etag = seen.headers.get("etag") as string;
    // The task moves on (an agent claims it), so the client's version is stale…
    // (Only a later version will do: on a busy machine the agent may have claimed it before the GET.)
    await taskUntil(task.taskId, (t) => t.version > (seen.body as { version: number }).version);
    const refused = await api<ErrorBody>("POST", `/api/tasks/${task.taskId}/cancel`, { headers: { "if-match": etag } });
    expect(refused.status).toBe(412);
    expect(refused.body.error.code).toBe("PreconditionFailed");
    // …and with the current version it goes through.
    const now = await api("GET", `/api/tasks/${task.taskId}`);
    const cancelled = await api("POST", `/api/tasks/${task.taskId}/cancel`, {
      headers: { "if-match": now.headers.get("etag") as string },
    });
    expect([200, 409]).toContain(cancelled.status);
  });

  it("links the next page in a Link header; walking it lists every task once, in order", async () => {
    const tag = `walk-${Date.now()}`;
    for (let i = 0; i < 5; i++) await submit({ type: "diagnostics.echo", agentType: "data-quality", payload: { tag, i } });
    const seen: string[] = [];
    let query = "agentType=data-quality&limit=2";
    for (let pages = 0; pages < 4; pages++) {
      const page = await api<{ items: { taskId: string; createdAt: string }[]; nextCursor?: string }>(
        "GET",
        `/api/tasks?${query}`,
      );
      seen.push(...page.body.items.map((t) => t.taskId));
      const link = page.headers.get("link");
      if (!page.body.nextCursor) break;
      expect(link).toMatch(/^<\?.*cursor=.*>; rel="next"$/);
      query = (link as string).slice(2, link?.indexOf(">"));
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(5);
  });

  it("says how many tasks match a list's filters: the total a walk to the end counts, and it follows a change", async () => {
    // Cancelled tasks of the type no agent takes: they stay as they are while this test reads them.
    const filter = `agentType=${UNATTENDED_AGENT_TYPE}&status=cancelled`;
    const cancelOne = async () => {
      // Its queue may still be full from the backpressure test until those tasks expire (30 s here).
      const created = await eventually(
        () =>
          api<{ taskId: string }>("POST", "/api/tasks", {
            body: { type: "diagnostics.echo", agentType: UNATTENDED_AGENT_TYPE, payload: { for: "total" } },
          }),
        (answer) => answer.status === 201,
        45_000,
        "room on the unattended queue",
      );
      expect((await api("POST", `/api/tasks/${created.body.taskId}/cancel`)).status).toBe(200);
    };
    const walk = async () => {
      let count = 0;
      let total = -1;
      let query = `${filter}&limit=2`;
      for (let pages = 0; pages < 500; pages++) {
        const page = await api<{ items: unknown[]; nextCursor?: string; total: number }>("GET", `/api/tasks?${query}`);
        count += page.body.items.length;
        total = page.body.total;
        if (!page.body.nextCursor) break;
        query = `${filter}&limit=2&cursor=${encodeURIComponent(page.body.nextCursor)}`;
      }
      return { count, total };
    };
    for (let i = 0; i < 3; i++) await cancelOne();
    // The counters follow the tasks by the relay's delay.
    const settled = await eventually(
      walk,
      ({ count, total }) => count >= 3 && total === count,
      30_000,
      "the total and the walk agree",
    );
    // The control: one more cancelled task moves the total by one.
    await cancelOne();
    await eventually(
      walk,
      ({ count, total }) => count === settled.count + 1 && total === count,
      30_000,
      "the total after one more",
    );
  });

  it("answers every route at /api/v1/… and at the unversioned path it always had", async () => {
    for (const route of ALL_ROUTES.filter((r) => r.method === "GET" && !r.path.includes("{"))) {
      const [current, v1] = await Promise.all([api("GET", route.path), api("GET", versioned(route.path, "v1"))]);
      expect(v1.status, routeKey(route)).toBe(current.status);
    }
  });

  it("serves its own OpenAPI document, without a token, cacheable for five minutes", async () => {
    const doc = await api<{ openapi: string; paths: Record<string, unknown> }>("GET", "/api/openapi.json", { token: null });
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe("3.1.0");
    expect(Object.keys(doc.body.paths)).toContain("/api/v1/tasks/{taskId}");
    expect(doc.headers.get("cache-control")).toBe("public, max-age=300");
    expect(ALL_ROUTES.filter((r) => r.roles === PUBLIC).map(routeKey)).toContain("GET /api/openapi.json");
  });

  it("answers errors as RFC 9457 problem details to a client that asks for them", async () => {
    const problem = await api<Record<string, unknown>>("POST", "/api/tasks", {
      body: { type: "scan", priority: "urgent" },
      headers: { accept: "application/problem+json" },
    });
    expect(problem.status).toBe(400);
    expect(problem.headers.get("content-type")).toBe("application/problem+json");
    expect(problem.body).toMatchObject({ type: "urn:tge-swarm:problem:ValidationError", status: 400, code: "ValidationError" });
    const legacy = await api<ErrorBody>("POST", "/api/tasks", { body: { type: "scan", priority: "urgent" } });
    expect(legacy.body.error.code).toBe("ValidationError");
  });
});
