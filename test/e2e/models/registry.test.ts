import { createHash, randomUUID } from "node:crypto";
import { CloudWatchLogsClient, DescribeLogGroupsCommand, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_KEYWORD_CONFIG, type KeywordConfig } from "#detection/published/settings";
import { type JobFinished, type ScorerTrainingResult, trainedConfigVersion } from "#kernel/bus/job-events";
import type { ModelExport, ModelVersion, PromotionView } from "#models/domain/model-version";
import { settingsKey } from "#optimization/adapters/s3-settings-bucket";
import type { OptimizationView } from "#optimization/domain/optimization";
import type { SettingsDocumentView } from "#optimization/domain/views";
import { scorerTrainingArtifactKey } from "#jobs/published/artifacts";
import { fixtureItem } from "../../support/detection";
import { api, eventually, outputs, submitAsSystem, taskUntil, tokenFor } from "../support/api";

/**
 * The model registry against the deployed local stack. Registration is tested as a contract:
 * the test puts a training job's artifact where the jobs stack keeps them and publishes the
 * `JobFinished` the jobs context publishes for a succeeded `scorer-training` job, so it can
 * deliver one twice. The last test runs a real job, to see where its search starts.
 */
const s3 = new S3Client({});
const bus = new EventBridgeClient({});
const MODEL = `e2e-scorer-${Date.now().toString(36)}`;
const figures = (f1: number) => ({ items: 40, precision: f1, recall: f1, f1 });

/**
 * Puts a trained config where the job would have (named for its model and job, as a job names
 * it), and the `JobFinished` (sent `copies` times) announcing it.
 */
async function trainedJob(config: KeywordConfig, copies = 1): Promise<{ jobId: string; body: Buffer; event: JobFinished }> {
  const jobId = randomUUID();
  const key = scorerTrainingArtifactKey(jobId);
  const body = Buffer.from(JSON.stringify({ ...config, version: trainedConfigVersion(MODEL, jobId) }, null, 2));
  const put = await s3.send(
    new PutObjectCommand({ Bucket: outputs().JobArtifactsBucketName, Key: key, Body: body, ContentType: "application/json" }),
  );
  const now = new Date().toISOString();
  const event: JobFinished = {
    jobId,
    jobType: "scorer-training",
    status: "succeeded",
    result: {
      modelName: MODEL,
      startedFrom: { settingsVersion: "e2e-unread", configVersion: DEFAULT_KEYWORD_CONFIG.version },
      artifact: { bucket: outputs().JobArtifactsBucketName, key, ...(put.VersionId ? { versionId: put.VersionId } : {}) },
      datasets: ["fixture:tge-news"],
      training: figures(0.92),
      heldOut: figures(0.88),
      baseline: figures(0.8),
      candidatesTried: 64,
    },
    createdBy: "operator",
    createdAt: now,
    startedAt: now,
    finishedAt: now,
  };
  const entry = {
    EventBusName: outputs().EventBusName,
    Source: "tge-swarm.jobs",
    DetailType: "JobFinished",
    Detail: JSON.stringify(event),
  };
  const answer = await bus.send(new PutEventsCommand({ Entries: Array.from({ length: copies }, () => entry) }));
  expect(answer.FailedEntryCount ?? 0).toBe(0);
  return { jobId, body, event };
}

const versionPath = (version: string) => `/api/models/${MODEL}/versions/${version}`;
const registered = (version: string) =>
  eventually(
    async () => api<ModelVersion>("GET", versionPath(version)),
    (r) => r.status === 200,
    30_000,
    `${MODEL} ${version} to be registered`,
  ).then((r) => r.body);

const keywords = async () => (await api<SettingsDocumentView>("GET", "/api/settings/detection-keywords")).body;
const optimization = async (id: string) => api<OptimizationView>("GET", `/api/optimizations/${id}`);
const FINAL = ["applied", "rejected", "expired", "rolled_back", "stale", "conflict", "invalid", "failed"];
const settled = (id: string) =>
  eventually(
    () => optimization(id),
    (r) => r.status === 200 && FINAL.includes(r.body.status),
    60_000,
    `${id} to settle`,
  ).then((r) => r.body);

/** The pipeline asks for a decision (a whole-document replacement is medium risk): approve it as an admin. */
async function approveWhenPending(id: string): Promise<void> {
  await eventually(
    () => optimization(id),
    (r) => r.status === 200 && r.body.status === "pending",
    30_000,
    `${id} to wait for approval`,
  );
  const approved = await api("POST", `/api/optimizations/${id}/approve`, { token: await tokenFor("admin"), body: {} });
  expect(approved.status).toBe(200);
}

async function promote(version: string, role: "operator" | "viewer" = "operator") {
  return api<PromotionView & { error?: { code: string } }>("POST", `${versionPath(version)}/promote`, {
    token: await tokenFor(role),
  });
}

/** A tge.score of a real TGE report, as keyword-precision runs it now (as the pipeline e2e does). */
async function scoreNow(): Promise<{ settingsVersion: string; isTge: boolean }> {
  const { body: task } = await submitAsSystem({
    type: "tge.score",
    agentType: "keyword-precision",
    priority: "critical",
    payload: {
      item: fixtureItem("bf-202603090805"),
      fingerprint: `e2e-models-${Date.now()}-${Math.random()}`,
      feedUrl: "https://e2e.example/feed.json",
    },
  });
  const done = await taskUntil(task.taskId, (t) => t.status === "completed", 30_000, "the score");
  return done.result as { settingsVersion: string; isTge: boolean };
}
const agentsRunOn = (version: string) =>
  eventually(scoreNow, (r) => r.settingsVersion === version, 20_000, `keyword-precision to score with ${version}`);

async function bytesOf(versionId: string): Promise<Buffer> {
  const object = await s3.send(
    new GetObjectCommand({ Bucket: outputs().SettingsBucketName, Key: settingsKey("detection-keywords"), VersionId: versionId }),
  );
  return Buffer.from(await (object.Body?.transformToByteArray() ?? new Uint8Array()));
}

/** A tuned config that passes verification on the labelled sample (the pipeline e2e applies the same weight). */
const TUNED: KeywordConfig = { ...DEFAULT_KEYWORD_CONFIG, bodyWeight: 0.62 };
/** Another tuning, so promoting it after TUNED is a real change. */
const RETUNED: KeywordConfig = { ...DEFAULT_KEYWORD_CONFIG, bodyWeight: 0.61 };
/** A config that loses every event on the labelled sample: verification rolls it back. */
const DEAF: KeywordConfig = { ...DEFAULT_KEYWORD_CONFIG, threshold: 0.99 };

let first: Awaited<ReturnType<typeof trainedJob>>;

beforeAll(async () => {
  // Delivered twice, as EventBridge may: registration must be idempotent by job.
  first = await trainedJob(TUNED, 2);
});

afterAll(async () => {
  // Leave detection as the other tests expect it: the shipped keyword config, through the pipeline.
  const current = await keywords();
  const restore = await api<OptimizationView>("POST", "/api/optimizations", {
    token: await tokenFor("operator"),
    body: {
      type: "accuracy",
      severity: "low",
      title: "e2e models: restore the shipped keyword config",
      document: "detection-keywords",
      baseVersion: current.version,
      patch: [{ op: "replace", path: "", value: DEFAULT_KEYWORD_CONFIG }],
      confidence: 0.9,
    },
  });
  expect(restore.status).toBe(202);
  expect(await settled(restore.body.recommendationId)).toMatchObject({ status: "applied" });
});

describe("registration from JobFinished", () => {
  it("registers the job's version once, with its figures, though the event was delivered twice", async () => {
    const v1 = await registered("v1");
    expect(v1).toMatchObject({
      name: MODEL,
      version: "v1",
      jobId: first.jobId,
      datasets: ["fixture:tge-news"],
      heldOut: figures(0.88),
      training: figures(0.92),
      baseline: figures(0.8),
      candidatesTried: 64,
      createdBy: "operator",
      status: "candidate",
      artifact: { sha256: createHash("sha256").update(first.body).digest("hex"), bytes: first.body.byteLength },
    });
    // The second delivery has had its chance: a next job is numbered v2, so the duplicate took no number.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const next = await trainedJob(DEAF);
    expect(await registered("v2")).toMatchObject({ jobId: next.jobId });
    const page = await api<{ items: ModelVersion[] }>("GET", `/api/models/${MODEL}/versions?limit=10`);
    expect(page.body.items.map((v) => [v.version, v.jobId])).toEqual([
      ["v2", next.jobId],
      ["v1", first.jobId],
    ]);
    // Control: the same delivery again, long after, still registers nothing new.
    await bus.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: outputs().EventBusName,
            Source: "tge-swarm.jobs",
            DetailType: "JobFinished",
            Detail: JSON.stringify(first.event),
          },
        ],
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await api<{ items: ModelVersion[] }>("GET", `/api/models/${MODEL}/versions?limit=10`)).body.items).toHaveLength(2);
  });
});

describe("reads", () => {
  it("lists the model, pages its versions newest first, and 404s or 400s what is not there", async () => {
    await trainedJob(RETUNED);
    await registered("v3");
    const list = await api<{ models: { name: string; versions: number; latestVersion: string }[] }>("GET", "/api/models", {
      token: await tokenFor("viewer"),
    });
    expect(list.status).toBe(200);
    expect(list.body.models.find((m) => m.name === MODEL)).toMatchObject({ versions: 3, latestVersion: "v3" });

    const one = await api<{ items: ModelVersion[]; nextCursor?: string }>("GET", `/api/models/${MODEL}/versions?limit=2`);
    expect(one.body.items.map((v) => v.version)).toEqual(["v3", "v2"]);
    expect(one.headers.get("link")).toContain("cursor=");
    const two = await api<{ items: ModelVersion[]; nextCursor?: string }>(
      "GET",
      `/api/models/${MODEL}/versions?limit=2&cursor=${encodeURIComponent(one.body.nextCursor ?? "")}`,
    );
    expect(two.body.items.map((v) => v.version)).toEqual(["v1"]);
    expect(two.body.nextCursor).toBeUndefined();

    expect((await api("GET", versionPath("v99"))).status).toBe(404);
    expect((await api("GET", "/api/models/no-such-model/versions")).status).toBe(404);
    expect(
      (await api("POST", "/api/models/no-such-model/versions/v1/promote", { token: await tokenFor("operator") })).status,
    ).toBe(404);
    const bad = await api<{ error: { fields: { field: string }[] } }>("GET", `/api/models/${MODEL}/versions?limit=0&cursor=x`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f) => f.field).sort()).toEqual(["queryStringParameters.limit"]);
    const badCursor = await api<{ error: { fields: { field: string }[] } }>(
      "GET",
      `/api/models/${MODEL}/versions?cursor=bm90LWEtY3Vyc29y`,
    );
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.error.fields.map((f) => f.field)).toEqual(["cursor"]);
    const badLabel = await api<{ error: { fields: { field: string }[] } }>("GET", `/api/models/${MODEL}/versions/latest`);
    expect(badLabel.status).toBe(400);
    expect(badLabel.body.error.fields.map((f) => f.field)).toEqual(["pathParameters.version"]);
  });

  it("exports the artifact through a presigned URL whose download is the artifact, and which a changed signature cannot use", async () => {
    const exported = await api<ModelExport>("GET", `${versionPath("v1")}/export`, { token: await tokenFor("viewer") });
    expect(exported.status).toBe(200);
    expect(Date.parse(exported.body.expiresAt) - Date.now()).toBeLessThanOrEqual(300_000);
    const download = await fetch(exported.body.url, { signal: AbortSignal.timeout(10_000) });
    expect(download.status).toBe(200);
    const bytes = Buffer.from(await download.arrayBuffer());
    expect(bytes.equals(first.body)).toBe(true);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(exported.body.sha256);
    // Control: the same link with its signature changed is refused, so the 200 above came from the signature.
    const tampered = exported.body.url.replace(
      /(X-Amz-Signature=)([0-9a-f])/,
      (_m, name: string, c: string) => `${name}${c === "0" ? "1" : "0"}`,
    );
    expect(tampered).not.toBe(exported.body.url);
    expect((await fetch(tampered, { signal: AbortSignal.timeout(10_000) })).status).toBe(403);

    // The link is never logged: no log group holds its signature...
    const signature = new URL(exported.body.url).searchParams.get("X-Amz-Signature") ?? "";
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    const logs = new CloudWatchLogsClient({});
    const { logGroups = [] } = await logs.send(new DescribeLogGroupsCommand({}));
    const search = async (pattern: string, groups = logGroups) => {
      const hits: string[] = [];
      for (const group of groups) {
        const { events = [] } = await logs.send(
          new FilterLogEventsCommand({ logGroupName: group.logGroupName, filterPattern: `"${pattern}"` }),
        );
        hits.push(...events.map((e) => `${group.logGroupName}: ${e.message}`));
      }
      return hits;
    };
    expect(await search(signature)).toEqual([]);
    // ...while the export function's own log lines are there to be found (the search can find what is logged).
    const exporter = logGroups.filter((g) => g.logGroupName?.includes("ExportModelVersion"));
    expect(exporter.length).toBeGreaterThan(0);
    expect((await search("invocation finished", exporter)).length).toBeGreaterThan(0);
  });
});

describe("promotion through the optimization pipeline", () => {
  it("refuses a viewer before anything is read", async () => {
    const viewer = await promote("v1", "viewer");
    expect(viewer.status).toBe(403);
    expect((await api<ModelVersion>("GET", versionPath("v1"))).body.promotion).toBeUndefined();
  });

  it("promote → an optimization → approval → the document holds the model, agents score with it, the version is promoted", async () => {
    const before = await keywords();
    const started = await promote("v1");
    expect(started.status).toBe(202);
    const id = started.body.recommendationId;
    expect(started.headers.get("location")).toBe(`/api/optimizations/${id}`);
    expect(started.body).toMatchObject({ name: MODEL, version: "v1", baseVersion: before.version, requestedBy: "operator" });
    // A repeat while it runs names the same optimization.
    const again = await promote("v1");
    expect(again.status).toBe(202);
    expect(again.body.recommendationId).toBe(id);

    await approveWhenPending(id);
    const done = await settled(id);
    expect(done).toMatchObject({
      status: "applied",
      source: "model",
      model: { name: MODEL, version: "v1" },
      baseVersion: before.version,
      risk: { level: "medium", needsApproval: true },
      decidedBy: "admin",
    });
    const after = await keywords();
    expect(after.version).toBe(done.toVersion);
    expect(after.document).toEqual(JSON.parse(first.body.toString("utf8")));
    expect(await agentsRunOn(after.version)).toMatchObject({ isTge: true });

    const v1 = await eventually(
      async () => (await api<ModelVersion>("GET", versionPath("v1"))).body,
      (v) => v.status === "promoted",
      20_000,
      "v1 to be promoted",
    );
    expect(v1).toMatchObject({ lastPromotion: { recommendationId: id, outcome: "applied" } });
    expect(v1.promotion).toBeUndefined();
    const list = await api<{ models: { name: string; promotedVersion?: string }[] }>("GET", "/api/models");
    expect(list.body.models.find((m) => m.name === MODEL)?.promotedVersion).toBe("v1");
    const twice = await promote("v1");
    expect(twice.status).toBe(409);
  });

  it("a version that fails verification is rolled back: the document is byte-identical to before, agents back on it, the version stays a candidate", async () => {
    const before = await keywords();
    const started = await promote("v2");
    expect(started.status).toBe(202);
    await approveWhenPending(started.body.recommendationId);
    const done = await settled(started.body.recommendationId);
    expect(done).toMatchObject({ status: "rolled_back", reason: expect.stringContaining("eventRecall") });
    const restored = done.restoredVersion ?? "";
    expect((await bytesOf(restored)).equals(await bytesOf(before.version))).toBe(true);
    expect((await keywords()).version).toBe(restored);
    expect(await agentsRunOn(restored)).toMatchObject({ isTge: true });

    const v2 = await eventually(
      async () => (await api<ModelVersion>("GET", versionPath("v2"))).body,
      (v) => v.lastPromotion?.recommendationId === started.body.recommendationId,
      20_000,
      "v2 to follow its rollback",
    );
    expect(v2).toMatchObject({ status: "candidate", lastPromotion: { outcome: "rolled_back" } });
    expect((await api<ModelVersion>("GET", versionPath("v1"))).body.status).toBe("promoted");
  });

  it("promoting the next version retires the one before", async () => {
    const started = await promote("v3");
    expect(started.status).toBe(202);
    await approveWhenPending(started.body.recommendationId);
    expect(await settled(started.body.recommendationId)).toMatchObject({ status: "applied" });
    await eventually(
      async () => (await api<ModelVersion>("GET", versionPath("v3"))).body,
      (v) => v.status === "promoted",
      20_000,
      "v3 to be promoted",
    );
    expect((await api<ModelVersion>("GET", versionPath("v1"))).body).toMatchObject({ status: "retired" });
  });

  it("a training job run now starts from the promoted version agents run on, and its version names it as the parent", async () => {
    const promotedDocument = (await keywords()).document as KeywordConfig;
    const submitted = await api<{ jobId: string }>("POST", "/api/jobs", {
      token: await tokenFor("operator"),
      body: { type: "scorer-training", parameters: { datasets: ["fixture:tge-news"], candidates: 5, modelName: MODEL } },
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
    const job = await eventually(
      async () =>
        (
          await api<{ status: string; reason?: string; result?: ScorerTrainingResult }>(
            "GET",
            `/api/jobs/${submitted.body.jobId}`,
          )
        ).body,
      (j) => ["succeeded", "failed", "cancelled"].includes(j.status),
      120_000,
      "the training job",
      500,
    );
    expect(job, job.reason).toMatchObject({ status: "succeeded" });
    expect(job.result?.startedFrom.configVersion).toBe(promotedDocument.version);

    const page = await eventually(
      async () => (await api<{ items?: ModelVersion[] }>("GET", `/api/models/${MODEL}/versions?limit=10`)).body,
      (body) => body.items?.some((v) => v.jobId === submitted.body.jobId) ?? false,
      30_000,
      "the job's version",
    );
    expect(page.items?.find((v) => v.jobId === submitted.body.jobId)?.parentVersion).toBe("v3");
    // The control: v1..v3 came from jobs that started from the shipped config, so they have none.
    expect(page.items?.filter((v) => v.parentVersion !== undefined).map((v) => v.jobId)).toEqual([submitted.body.jobId]);
  }, 180_000);
});
