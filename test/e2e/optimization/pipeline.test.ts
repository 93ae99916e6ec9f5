import { CloudWatchLogsClient, DescribeLogGroupsCommand, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { settingsKey } from "#optimization/adapters/s3-settings-bucket";
import type { OptimizationView } from "#optimization/domain/optimization";
import type { SettingsDocumentView } from "#optimization/domain/views";
import { type Frame, WsClient } from "../../../scripts/local/ws-client";
import { api, eventually, outputs, submitAsSystem, taskUntil, tokenFor } from "../support/api";
import { fixtureItem } from "../../support/detection";

const s3 = new S3Client({});
const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));

type Name = "detection-keywords" | "feed-sources" | "review-thresholds" | "runtime-settings";
const current = async (name: Name) => {
  const answer = await api<SettingsDocumentView>("GET", `/api/settings/${name}`);
  expect(answer.status).toBe(200);
  return answer.body;
};

/** Bytes of one version, straight from the bucket. */
async function bytesOf(name: Name, versionId: string): Promise<Buffer> {
  const object = await s3.send(
    new GetObjectCommand({ Bucket: outputs().SettingsBucketName, Key: settingsKey(name), VersionId: versionId }),
  );
  return Buffer.from(await (object.Body?.transformToByteArray() ?? new Uint8Array()));
}

let sequence = 0;
/** A recommendation against the document's current version (or the one given), as `role`. */
async function recommend(
  name: Name,
  patch: unknown[],
  options: { severity?: string; confidence?: number; baseVersion?: string; role?: "admin" | "operator" | "viewer" } = {},
) {
  const baseVersion = options.baseVersion ?? (await current(name)).version;
  return api<OptimizationView & { error?: { code: string; fields?: { field: string; message: string }[] } }>(
    "POST",
    "/api/optimizations",
    {
      token: await tokenFor(options.role ?? "operator"),
      body: {
        type: "accuracy",
        severity: options.severity ?? "low",
        title: `e2e change ${++sequence}`,
        document: name,
        baseVersion,
        patch,
        confidence: options.confidence ?? 0.9,
      },
    },
  );
}

const FINAL = new Set(["applied", "rejected", "expired", "rolled_back", "stale", "conflict", "invalid", "failed"]);
const view = async (id: string) => (await api<OptimizationView>("GET", `/api/optimizations/${id}`)).body;
const until = (id: string, statuses: readonly string[], timeoutMs = 45_000) =>
  eventually(
    () => view(id),
    (v) => statuses.includes(v.status),
    timeoutMs,
    `${id} to be ${statuses.join(" or ")}`,
  );
const settled = (id: string, timeoutMs = 45_000) => until(id, [...FINAL], timeoutMs);

/** A tge.score of a real TGE report, as keyword-precision runs it now. */
async function scoreNow(): Promise<{ settingsVersion: string; isTge: boolean }> {
  const item = fixtureItem("bf-202603090805");
  // tge.score is the pipeline's own type: submitted as the scrapers submit it.
  const { body: task } = await submitAsSystem({
    type: "tge.score",
    agentType: "keyword-precision",
    priority: "critical",
    payload: { item, fingerprint: `e2e-${Date.now()}-${Math.random()}`, feedUrl: "https://e2e.example/feed.json" },
  });
  const done = await taskUntil(task.taskId, (t) => t.status === "completed", 30_000, "the score");
  return done.result as { settingsVersion: string; isTge: boolean };
}

/** keyword-precision scores with `version` within the bound (settingsMaxAgeSeconds, 2 s here), and keeps doing so. */
const agentsRunOn = (version: string) =>
  eventually(scoreNow, (r) => r.settingsVersion === version, 20_000, `keyword-precision to score with ${version}`);

let client: WsClient;
/** The approval test's task token, read from its table to search the logs and events for it. */
let approvalToken = "";
/** A recommendation started before the others, on its own document, left to run out its approval window. */
let expiring: string;

beforeAll(async () => {
  client = await WsClient.connect(outputs().WebSocketUrl, await tokenFor("viewer"));
  await client.subscribe(["optimizations"]);
  const thresholds = await recommend("review-thresholds", [{ op: "replace", path: "/failureRate", value: 0.12 }], {
    severity: "medium",
  });
  expect(thresholds.status).toBe(202);
  expiring = thresholds.body.recommendationId;
});
afterAll(async () => {
  client?.close();
  // Leave detection as the other tests expect it: the keyword config's deployed weights, through the pipeline.
  const keywords = await current("detection-keywords");
  if ((keywords.document as { bodyWeight: number }).bodyWeight !== 0.6) {
    const { body } = await recommend("detection-keywords", [{ op: "replace", path: "/bodyWeight", value: 0.6 }]);
    expect(await settled(body.recommendationId)).toMatchObject({ status: "applied" });
  }
});

describe("settings documents", () => {
  it("lists every document with its current version, serves each with its ETag, and keeps its history", async () => {
    const list = await api<{ documents: { name: string; version: string; origin: string }[] }>("GET", "/api/settings");
    expect(list.body.documents.map((d) => d.name).sort()).toEqual([
      "detection-keywords",
      "feed-sources",
      "review-thresholds",
      "runtime-settings",
    ]);
    const sources = await api<SettingsDocumentView>("GET", "/api/settings/feed-sources");
    expect(sources.headers.get("etag")).toBe(sources.body.etag);
    expect(sources.body.document).toMatchObject({
      feeds: [{ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/feeds\/tge-news\.json$/) }],
    });
    const history = await api<{ items: { versionId: string; origin: string; changedBy: string }[] }>(
      "GET",
      "/api/settings/runtime-settings/versions",
    );
    expect(history.body.items.at(-1)).toMatchObject({ origin: "seed", changedBy: "deploy" });
    expect((await api("GET", "/api/settings/no-such-document")).status).toBe(400);
  });

  it("refuses a bad recommendation naming every bad field (400), and a patch that does not apply naming the op (422)", async () => {
    const bad = await api<{ error: { fields: { field: string }[] } }>("POST", "/api/optimizations", {
      token: await tokenFor("operator"),
      body: {
        type: "speed",
        severity: "dire",
        title: "",
        document: "nope",
        baseVersion: "",
        patch: [{ op: "merge" }],
        confidence: 2,
        extra: 1,
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f) => f.field).sort()).toEqual(
      ["baseVersion", "confidence", "document", "extra", "patch.0.op", "severity", "title", "type"].sort(),
    );
    const missing = await recommend("detection-keywords", [
      { op: "replace", path: "/threshold", value: 0.55 },
      { op: "replace", path: "/no/such/field", value: 1 },
    ]);
    expect(missing.status).toBe(422);
    expect(missing.body.error).toMatchObject({ code: "PatchDoesNotApply", fields: [{ field: "patch.1" }] });
    const invalid = await recommend("detection-keywords", [{ op: "replace", path: "/threshold", value: 7 }]);
    expect(invalid.status).toBe(422);
    expect(invalid.body.error).toMatchObject({
      code: "InvalidDocument",
      fields: [{ field: "patch", message: expect.stringContaining("/threshold") }],
    });
    const unknownVersion = await recommend("detection-keywords", [{ op: "replace", path: "/threshold", value: 0.55 }], {
      baseVersion: "no-such-version",
    });
    expect(unknownVersion.body.error).toMatchObject({ code: "UnknownVersion", fields: [{ field: "baseVersion" }] });
    const viewer = await recommend("detection-keywords", [{ op: "replace", path: "/threshold", value: 0.55 }], {
      role: "viewer",
    });
    expect(viewer.status).toBe(403);
  });
});

describe("the auto path", () => {
  it("applies a low-risk change as a new version, agents run on it, and optimization_result says applied", async () => {
    const before = await current("detection-keywords");
    const submitted = await recommend("detection-keywords", [{ op: "replace", path: "/bodyWeight", value: 0.62 }]);
    expect(submitted.status).toBe(202);
    const id = submitted.body.recommendationId;

    expect(await settled(id)).toMatchObject({ status: "applied" });
    // The outcome is recorded first, then the lock released: wait for the last step.
    const done = await eventually(
      () => view(id),
      (v) => v.steps.some((s) => s.name === "release"),
      15_000,
      "the pipeline to release the document's lock",
    );
    expect(done).toMatchObject({ status: "applied", baseVersion: before.version, risk: { level: "low", needsApproval: false } });
    expect(done.steps.map((s) => s.name)).toEqual([
      "validate",
      "assess-risk",
      "acquire-lock",
      "stale-check",
      "apply",
      "verify",
      "record",
      "release",
    ]);
    expect(done.diff).toEqual([{ op: "replace", path: "/bodyWeight", before: "0.6", after: "0.62" }]);
    expect(done.verification?.checks.map((c) => [c.name, c.passed])).toEqual([
      ["schema", true],
      ["labelled-sample", true],
    ]);
    const after = await current("detection-keywords");
    expect(after).toMatchObject({ version: done.toVersion, origin: "applied", changedBy: "operator", recommendationId: id });
    const frame = await client.waitFor((f: Frame) => f.type === "optimization_result" && f.data.recommendationId === id, 15_000);
    expect(frame.data).toMatchObject({
      outcome: "applied",
      target: "detection-keywords",
      fromVersion: before.version,
      toVersion: done.toVersion,
    });
    await agentsRunOn(after.version);
    const history = await api<{ items: { versionId: string; recommendationId?: string }[] }>(
      "GET",
      "/api/settings/detection-keywords/versions",
    );
    expect(history.body.items[0]).toMatchObject({ versionId: after.version, recommendationId: id });
  });
});

describe("verification", () => {
  it("rolls back a change that loses recall on the labelled sample: byte-identical to the version before, and agents back on it", async () => {
    const before = await current("detection-keywords");
    const { body } = await recommend("detection-keywords", [{ op: "replace", path: "/threshold", value: 0.99 }]);
    const done = await settled(body.recommendationId);
    expect(done).toMatchObject({ status: "rolled_back", reason: expect.stringContaining("eventRecall") });
    expect(done.steps.map((s) => s.name)).toContain("rollback");
    const restored = done.restoredVersion ?? "";
    expect(restored).not.toBe(before.version);
    expect((await bytesOf("detection-keywords", restored)).equals(await bytesOf("detection-keywords", before.version))).toBe(
      true,
    );
    expect((await current("detection-keywords")).version).toBe(restored);
    const back = await agentsRunOn(restored);
    expect(back.isTge).toBe(true);
  });
});

describe("approvals", () => {
  it("medium risk waits for a decision; a viewer may not decide (403); an operator's approval applies it", async () => {
    const { body } = await recommend(
      "runtime-settings",
      [{ op: "replace", path: "/agentTypes/data-quality/taskTimeoutSeconds", value: 75 }],
      {
        severity: "medium",
      },
    );
    const id = body.recommendationId;
    const pending = await until(id, ["pending"]);
    expect(pending).toMatchObject({ risk: { level: "medium", needsApproval: true } });
    const notice = await client.waitFor(
      (f: Frame) => f.type === "optimization_pending" && f.data.recommendationId === id,
      15_000,
    );
    expect(notice.data).toMatchObject({
      target: "runtime-settings",
      summary: ["replace /agentTypes/data-quality/taskTimeoutSeconds: 60 → 75"],
    });

    // The token is kept server-side; read it here only to prove below it leaked nowhere.
    const kept = await db.send(new GetCommand({ TableName: outputs().ApprovalTokensTableName, Key: { recommendationId: id } }));
    approvalToken = String(kept.Item?.token);
    expect(approvalToken.length).toBeGreaterThan(8);

    const viewer = await api("POST", `/api/optimizations/${id}/approve`, { token: await tokenFor("viewer"), body: {} });
    expect(viewer.status).toBe(403);
    const approved = await api<OptimizationView>("POST", `/api/optimizations/${id}/approve`, {
      token: await tokenFor("operator"),
      body: { comment: "e2e: longer timeouts for data-quality" },
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      status: "approved",
      decidedBy: "operator",
      decisionComment: "e2e: longer timeouts for data-quality",
    });
    const again = await api<{ error: { code: string } }>("POST", `/api/optimizations/${id}/reject`, {
      token: await tokenFor("admin"),
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("AlreadyDecided");

    const done = await settled(id);
    expect(done).toMatchObject({ status: "applied", decidedBy: "operator" });
    expect((await current("runtime-settings")).document).toMatchObject({
      agentTypes: { "data-quality": { taskTimeoutSeconds: 75 } },
    });
    expect((await current("runtime-settings")).changedBy).toBe("operator");
  });

  it("a rejection ends it rejected, the document untouched", async () => {
    const before = await current("runtime-settings");
    const { body } = await recommend("runtime-settings", [{ op: "replace", path: "/maxAgentsPerType", value: 6 }], {
      severity: "medium",
    });
    await until(body.recommendationId, ["pending"]);
    const rejected = await api<OptimizationView>("POST", `/api/optimizations/${body.recommendationId}/reject`, {
      token: await tokenFor("admin"),
      body: { comment: "not now" },
    });
    expect(rejected.body).toMatchObject({ status: "rejected", decidedBy: "admin" });
    const done = await settled(body.recommendationId);
    expect(done).toMatchObject({ status: "rejected", reason: "rejected by admin: not now" });
    expect((await current("runtime-settings")).version).toBe(before.version);
    const frame = await client.waitFor(
      (f: Frame) => f.type === "optimization_result" && f.data.recommendationId === body.recommendationId,
      15_000,
    );
    expect(frame.data).toMatchObject({ outcome: "rejected", decidedBy: "admin" });
  });

  it("no decision before the approval timeout: expired, and a decision after the window answers 409", async () => {
    const done = await settled(expiring, 40_000);
    expect(done).toMatchObject({ status: "expired", decision: "expired" });
    const late = await api<{ error: { code: string } }>("POST", `/api/optimizations/${expiring}/approve`, {
      token: await tokenFor("operator"),
    });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe("ApprovalWindowClosed");
    expect((await current("review-thresholds")).origin).toBe("seed");
  });
});

describe("conflicts", () => {
  it("a change computed from an older version ends stale", async () => {
    const history = await api<{ items: { versionId: string }[] }>("GET", "/api/settings/detection-keywords/versions");
    const older = history.body.items.at(-1)?.versionId ?? "";
    const { body } = await recommend("detection-keywords", [{ op: "replace", path: "/bodyWeight", value: 0.61 }], {
      baseVersion: older,
    });
    const done = await settled(body.recommendationId);
    expect(done).toMatchObject({ status: "stale", reason: expect.stringContaining(`computed against ${older}`) });
  });

  it("two at once on one document: one is applied, the other ends stale or conflict, never both applied", async () => {
    const base = (await current("detection-keywords")).version;
    const [a, b] = await Promise.all([
      recommend("detection-keywords", [{ op: "replace", path: "/bodyWeight", value: 0.63 }], { baseVersion: base }),
      recommend("detection-keywords", [{ op: "replace", path: "/bodyWeight", value: 0.64 }], { baseVersion: base }),
    ]);
    const outcomes = await Promise.all([settled(a.body.recommendationId), settled(b.body.recommendationId)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(["applied", expect.stringMatching(/^(stale|conflict)$/)]);
    const winner = outcomes.find((o) => o.status === "applied");
    expect((await current("detection-keywords")).version).toBe(winner?.toVersion);
  });

  it("an operator holding the document's lock: the pipeline waits for it, and applies once it is released", async () => {
    const lease = await api<{ leaseId: string }>("POST", "/api/coordination/locks", {
      token: await tokenFor("operator"),
      body: { resource: "settings/feed-sources", mode: "exclusive", ttlSeconds: 60 },
    });
    expect(lease.status).toBe(201);
    const { body } = await recommend("feed-sources", [{ op: "replace", path: "/requestsPerMinute", value: 90 }], {
      severity: "low",
    });
    // feed-sources reaches every scraper unmeasured: medium risk, so approve it, then it waits for the lock.
    await until(body.recommendationId, ["pending"]);
    await api("POST", `/api/optimizations/${body.recommendationId}/approve`, { token: await tokenFor("admin") });
    const waiting = await eventually(
      () =>
        api<{ items: { name: string; outcome: string }[] } & OptimizationView>(
          "GET",
          `/api/optimizations/${body.recommendationId}`,
        ),
      (r) => r.body.steps.some((s) => s.name === "acquire-lock" && s.outcome === "busy"),
      20_000,
      "the pipeline to wait for the lock",
    );
    expect(waiting.body.steps.find((s) => s.outcome === "busy")?.detail).toContain("user:operator");
    expect(
      (await api("DELETE", `/api/coordination/locks/${lease.body.leaseId}`, { token: await tokenFor("operator") })).status,
    ).toBe(200);
    const done = await settled(body.recommendationId);
    expect(done).toMatchObject({ status: "applied" });
  });

  it("…and ends conflict when the operator keeps it past the pipeline's lock wait", async () => {
    const lease = await api<{ leaseId: string }>("POST", "/api/coordination/locks", {
      token: await tokenFor("operator"),
      body: { resource: "settings/review-thresholds", mode: "exclusive", ttlSeconds: 60 },
    });
    expect(lease.status).toBe(201);
    try {
      const { body } = await recommend("review-thresholds", [{ op: "replace", path: "/timeoutShare", value: 0.06 }]);
      const done = await settled(body.recommendationId, 40_000);
      expect(done).toMatchObject({ status: "conflict", reason: expect.stringContaining("stayed locked by user:operator") });
    } finally {
      await api("DELETE", `/api/coordination/locks/${lease.body.leaseId}`, { token: await tokenFor("operator") });
    }
  });
});

describe("the task token", () => {
  it("appears in no log line and no event", async () => {
    expect(approvalToken).not.toBe("");
    const logs = new CloudWatchLogsClient({});
    const { logGroups = [] } = await logs.send(new DescribeLogGroupsCommand({}));
    expect(logGroups.length).toBeGreaterThan(10);
    const hits: string[] = [];
    for (const group of logGroups) {
      const { events = [] } = await logs.send(
        new FilterLogEventsCommand({ logGroupName: group.logGroupName, filterPattern: `"${approvalToken}"` }),
      );
      hits.push(...events.map((e) => `${group.logGroupName}: ${e.message}`));
    }
    expect(hits).toEqual([]);
    // Every event the dashboard relayed on the optimizations topic, and every frame this client got.
    const history = await db.send(
      new QueryCommand({
        TableName: outputs().EventsTableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": "TOPIC#optimizations" },
      }),
    );
    expect(history.Items?.length).toBeGreaterThan(3);
    expect(JSON.stringify(history.Items)).not.toContain(approvalToken);
    expect(JSON.stringify(client.frames)).not.toContain(approvalToken);
    // Control: the same search does find what is there.
    expect(JSON.stringify(history.Items)).toContain(expiring);
  });
});

describe("metrics", () => {
  it("count outcomes and time decisions and applies", async () => {
    const metrics = await api<{
      byOutcome: Record<string, number>;
      decided: number;
      averageTimeToDecisionMs: number | null;
      averageTimeToApplyMs: number | null;
    }>("GET", "/api/optimizations/metrics");
    expect(metrics.body.byOutcome.applied).toBeGreaterThanOrEqual(3);
    expect(metrics.body.byOutcome.rejected).toBeGreaterThanOrEqual(1);
    expect(metrics.body.byOutcome.expired).toBeGreaterThanOrEqual(1);
    expect(metrics.body.byOutcome.rolled_back).toBeGreaterThanOrEqual(1);
    expect(metrics.body.decided).toBeGreaterThanOrEqual(2);
    expect(metrics.body.averageTimeToDecisionMs).toBeGreaterThan(0);
    const pending = await api<{ items: { status: string }[] }>(
      "GET",
      "/api/optimizations?status=applied&target=detection-keywords&limit=2",
    );
    expect(pending.body.items.every((i) => i.status === "applied")).toBe(true);
  });
});
