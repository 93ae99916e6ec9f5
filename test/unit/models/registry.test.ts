import { beforeEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_KEYWORD_CONFIG } from "#detection/published/settings";
import { type JobFinished, trainedConfigVersion } from "#kernel/bus/job-events";
import {
  InvalidArtifactError,
  InvalidTrainingResultError,
  ModelAlreadyPromotedError,
  ModelVersionNotFoundError,
} from "#models/domain/errors";
import { promoteVersion, promotionIdOf, promotionPatch, settlePromotion } from "#models/domain/promotion";
import { exportOf, versionOf, versionsOf } from "#models/domain/queries";
import { artifactKeyOf, registerFromJob, sha256Of } from "#models/domain/registration";
import { applyJsonPatch, JsonPatch } from "#optimization/domain/json-patch";
import type { Caller } from "#shared/identity";
import { RecordingPublisher } from "../../support/events";
import { FixedDocument, InMemoryArtifacts, InMemoryModelStore } from "../../support/models";

const operator: Caller = { sub: "u-op", username: "operator", roles: ["operator"] };
const NOW = new Date("2026-12-02T06:00:00.000Z");
const clock = { now: () => new Date(NOW) };
const figures = (f1: number) => ({ items: 40, precision: f1, recall: f1, f1 });

let store: InMemoryModelStore;
let artifacts: InMemoryArtifacts;
let publisher: RecordingPublisher;
let document: FixedDocument;
let jobs = 0;

/** A succeeded scorer-training job whose artifact (a keyword config) is in the jobs' bucket. */
function trainedJob(
  options: { model?: string; artifact?: unknown; result?: Record<string, unknown>; startedFrom?: string } = {},
): JobFinished {
  const jobId = `00000000-0000-4000-8000-${String(++jobs).padStart(12, "0")}`;
  const source = artifacts.putSource(
    "jobs-bucket",
    `jobs/${jobId}/artifact.json`,
    options.artifact ?? { ...DEFAULT_KEYWORD_CONFIG, threshold: 0.45 },
  );
  return {
    jobId,
    jobType: "scorer-training",
    status: "succeeded",
    result: options.result ?? {
      modelName: options.model ?? "keyword-scorer",
      startedFrom: { settingsVersion: "s3-v1", configVersion: options.startedFrom ?? DEFAULT_KEYWORD_CONFIG.version },
      artifact: source,
      datasets: ["fixture:tge-labelled"],
      training: figures(0.9),
      heldOut: figures(0.85),
      baseline: figures(0.8),
      candidatesTried: 120,
    },
    createdBy: "operator",
    createdAt: NOW.toISOString(),
    finishedAt: NOW.toISOString(),
  };
}

const deps = () => ({ store, artifacts, clock, document, publisher });

beforeEach(() => {
  store = new InMemoryModelStore();
  artifacts = new InMemoryArtifacts();
  publisher = new RecordingPublisher();
  document = new FixedDocument("doc-v1");
});

describe("registration", () => {
  it("registers a job's version with its figures, artifact copy and digest, numbered per model", async () => {
    // GIVEN two trained jobs of one model and one of another
    const first = trainedJob();
    const second = trainedJob();
    const other = trainedJob({ model: "other-scorer" });

    // WHEN each is registered
    const results = [];
    for (const job of [first, second, other]) results.push(await registerFromJob(job, deps()));

    // THEN versions are numbered per model, with the job's figures and the artifact's digest
    expect(results.map((r) => (r.outcome === "ignored" ? r.outcome : `${r.outcome} ${r.ref.name} ${r.ref.version}`))).toEqual([
      "registered keyword-scorer v1",
      "registered keyword-scorer v2",
      "registered other-scorer v1",
    ]);
    const v1 = await versionOf({ name: "keyword-scorer", version: "v1" }, deps());
    const source = await artifacts.readSource({ bucket: "jobs-bucket", key: `jobs/${first.jobId}/artifact.json` });
    expect(v1).toMatchObject({
      number: 1,
      jobId: first.jobId,
      datasets: ["fixture:tge-labelled"],
      heldOut: figures(0.85),
      training: figures(0.9),
      baseline: figures(0.8),
      status: "candidate",
      createdBy: "operator",
      artifact: { key: artifactKeyOf("keyword-scorer", first.jobId), versionId: "ver-1", sha256: sha256Of(source) },
    });
    expect(await store.summary("keyword-scorer")).toMatchObject({ versions: 2, latestVersion: "v2" });
  });

  it("names the version a search started from as its parent, and none for a config no version of the model tuned", async () => {
    // GIVEN v1 trained from the shipped config, and v2 trained from v1's tuned config (as agents run on it once promoted)
    const first = trainedJob();
    await registerFromJob(first, deps());
    const other = trainedJob({ model: "other-scorer" });
    await registerFromJob(other, deps());

    // WHEN later jobs start from v1's config, another model's config, and an unknown job's
    await registerFromJob(trainedJob({ startedFrom: trainedConfigVersion("keyword-scorer", first.jobId) }), deps());
    await registerFromJob(trainedJob({ startedFrom: trainedConfigVersion("other-scorer", other.jobId) }), deps());
    await registerFromJob(
      trainedJob({ startedFrom: trainedConfigVersion("keyword-scorer", "00000000-0000-4000-8000-999999999999") }),
      deps(),
    );

    // THEN only the first of them has a parent, v1; v1 itself (from the shipped config) has none
    const parents = await Promise.all(
      ["v1", "v2", "v3", "v4"].map(
        async (version) => (await versionOf({ name: "keyword-scorer", version }, deps())).parentVersion,
      ),
    );
    expect(parents).toEqual([undefined, "v1", undefined, undefined]);
  });

  it("registers nothing for a redelivered event: same version, no second copy", async () => {
    const job = trainedJob();
    const first = await registerFromJob(job, deps());
    const again = await registerFromJob(structuredClone(job), deps());
    expect(first).toMatchObject({ outcome: "registered", ref: { version: "v1" } });
    expect(again).toEqual({ outcome: "already-registered", ref: { name: "keyword-scorer", version: "v1" } });
    expect(store.versions.size).toBe(1);
    expect(artifacts.puts).toBe(1);
  });

  it("gives ten registrations at once ten distinct numbers (and the unconditional store shows the test can fail)", async () => {
    const many = Array.from({ length: 10 }, () => trainedJob());
    await Promise.all(many.map((job) => registerFromJob(job, deps())));
    expect([...store.versions.values()].map((v) => v.number).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

    // Control: without the conditional number check, concurrent registrations share numbers.
    store = new InMemoryModelStore({ unconditional: true });
    const racing = Array.from({ length: 10 }, () => trainedJob());
    const refs = await Promise.all(racing.map((job) => registerFromJob(job, deps())));
    const labels = refs.map((r) => (r.outcome === "ignored" ? "" : r.ref.version));
    expect(new Set(labels).size).toBeLessThan(10);
  });

  it("refuses a result that is not a training result and an artifact that is not a keyword config, registering nothing", async () => {
    await expect(registerFromJob(trainedJob({ result: { modelName: "keyword-scorer" } }), deps())).rejects.toBeInstanceOf(
      InvalidTrainingResultError,
    );
    await expect(registerFromJob(trainedJob({ artifact: { threshold: 7 } }), deps())).rejects.toBeInstanceOf(
      InvalidArtifactError,
    );
    await expect(registerFromJob(trainedJob({ artifact: "not json {" }), deps())).rejects.toThrow(/not JSON/);
    expect(store.versions.size).toBe(0);
  });

  it("ignores jobs that did not succeed or are not scorer training", async () => {
    expect(await registerFromJob({ ...trainedJob(), status: "failed" }, deps())).toEqual({ outcome: "ignored" });
    expect(await registerFromJob({ ...trainedJob(), jobType: "data-export" }, deps())).toEqual({ outcome: "ignored" });
    expect(store.versions.size).toBe(0);
  });
});

describe("reads", () => {
  it("pages versions newest first, 404s an unknown model or version, and exports a pinned, expiring link", async () => {
    for (let i = 0; i < 3; i++) await registerFromJob(trainedJob(), deps());
    const page = await versionsOf("keyword-scorer", { limit: 2 }, deps());
    expect(page.items.map((v) => v.version)).toEqual(["v3", "v2"]);
    const rest = await versionsOf("keyword-scorer", { limit: 2, cursor: page.nextCursor }, deps());
    expect(rest.items.map((v) => v.version)).toEqual(["v1"]);
    expect(rest.nextCursor).toBeUndefined();
    await expect(versionsOf("nobody", { limit: 2 }, deps())).rejects.toBeInstanceOf(ModelVersionNotFoundError);
    await expect(versionOf({ name: "keyword-scorer", version: "v9" }, deps())).rejects.toBeInstanceOf(ModelVersionNotFoundError);

    const exported = await exportOf({ name: "keyword-scorer", version: "v2" }, deps());
    expect(exported.url).toContain("versionId=ver-1");
    expect(exported.expiresAt).toBe(new Date(NOW.getTime() + 300_000).toISOString());
  });
});

describe("promotion", () => {
  const v1 = { name: "keyword-scorer", version: "v1" };

  it("builds a patch that makes the document exactly the artifact, whatever it held", () => {
    const artifact = { ...DEFAULT_KEYWORD_CONFIG, threshold: 0.45 };
    const result = applyJsonPatch({ ...DEFAULT_KEYWORD_CONFIG, extra: true }, JsonPatch.parse(promotionPatch(artifact)));
    expect(result).toEqual({ applies: true, document: artifact });
  });

  it("proposes the artifact against the document's current version under a deterministic id, once per attempt", async () => {
    await registerFromJob(trainedJob(), deps());
    const { promotion, created } = await promoteVersion(v1, operator, deps());
    expect(created).toBe(true);
    expect(promotion).toMatchObject({
      recommendationId: promotionIdOf(v1, 1),
      baseVersion: "doc-v1",
      requestedBy: "operator",
      optimization: `/api/optimizations/${promotionIdOf(v1, 1)}`,
    });
    const [proposal] = publisher.ofType("SettingsChangeProposed");
    expect(proposal).toMatchObject({
      source: "tge-swarm.models",
      detail: {
        recommendationId: promotion.recommendationId,
        document: "detection-keywords",
        baseVersion: "doc-v1",
        patch: [{ op: "replace", path: "", value: { ...DEFAULT_KEYWORD_CONFIG, threshold: 0.45 } }],
        risk: "medium",
        confidence: 0.85,
        proposedBy: { model: "keyword-scorer", version: "v1" },
        requestedBy: "operator",
      },
    });

    // A repeat while it runs names the same optimization (and proposes it again, which the intake takes as a replay).
    const again = await promoteVersion(v1, operator, deps());
    expect(again).toMatchObject({ created: false, promotion: { recommendationId: promotion.recommendationId } });
    expect(
      publisher.ofType("SettingsChangeProposed").map((e) => (e.detail as { recommendationId: string }).recommendationId),
    ).toEqual([promotion.recommendationId, promotion.recommendationId]);
  });

  it("starts one optimization when two promote at once", async () => {
    await registerFromJob(trainedJob(), deps());
    const both = await Promise.all([promoteVersion(v1, operator, deps()), promoteVersion(v1, operator, deps())]);
    expect(new Set(both.map((r) => r.promotion.recommendationId)).size).toBe(1);
    expect(both.filter((r) => r.created)).toHaveLength(1);
    expect(store.promotions.size).toBe(1);
  });

  it("a propose that failed is repaired by the next promote, which proposes the same recommendation", async () => {
    await registerFromJob(trainedJob(), deps());
    publisher.failNext();
    await expect(promoteVersion(v1, operator, deps())).rejects.toThrow(/refused/);
    const retried = await promoteVersion(v1, operator, deps());
    expect(retried.promotion.recommendationId).toBe(promotionIdOf(v1, 1));
    expect(publisher.ofType("SettingsChangeProposed")).toHaveLength(1);
  });

  it("404s an unknown version and 409s one already promoted", async () => {
    await expect(promoteVersion({ name: "keyword-scorer", version: "v4" }, operator, deps())).rejects.toBeInstanceOf(
      ModelVersionNotFoundError,
    );
    await registerFromJob(trainedJob(), deps());
    const { promotion } = await promoteVersion(v1, operator, deps());
    await settlePromotion(completed(promotion.recommendationId, "applied"), deps());
    await expect(promoteVersion(v1, operator, deps())).rejects.toBeInstanceOf(ModelAlreadyPromotedError);
  });
});

const completed = (recommendationId: string, outcome: "applied" | "rolled_back" | "rejected") => ({
  recommendationId,
  outcome,
  reason: `e2e ${outcome}`,
  target: "detection-keywords",
  completedAt: NOW.toISOString(),
});

describe("status follows the optimization", () => {
  it("applied → promoted, and the version the document held before → retired, across models; a redelivery changes nothing", async () => {
    await registerFromJob(trainedJob(), deps());
    await registerFromJob(trainedJob(), deps());
    await registerFromJob(trainedJob({ model: "other-scorer" }), deps());
    const v1 = { name: "keyword-scorer", version: "v1" };
    const v2 = { name: "keyword-scorer", version: "v2" };
    const other = { name: "other-scorer", version: "v1" };

    const first = await promoteVersion(v1, operator, deps());
    expect(await settlePromotion(completed(first.promotion.recommendationId, "applied"), deps())).toEqual({
      outcome: "promoted",
      ref: v1,
    });
    const second = await promoteVersion(v2, operator, deps());
    expect(await settlePromotion(completed(second.promotion.recommendationId, "applied"), deps())).toEqual({
      outcome: "promoted",
      ref: v2,
      retired: v1,
    });
    const third = await promoteVersion(other, operator, deps());
    await settlePromotion(completed(third.promotion.recommendationId, "applied"), deps());

    expect((await store.get(v1))?.status).toBe("retired");
    expect(await store.get(v2)).toMatchObject({ status: "retired", lastPromotion: { outcome: "applied" } });
    expect(await store.get(other)).toMatchObject({ status: "promoted", promotedAt: NOW.toISOString() });
    expect((await store.get(other))?.promotion).toBeUndefined();
    expect((await store.summary("keyword-scorer"))?.promotedVersion).toBeUndefined();
    expect((await store.summary("other-scorer"))?.promotedVersion).toBe("v1");

    // Redelivered: nothing changes.
    const before = structuredClone([...store.versions.entries()]);
    expect(await settlePromotion(completed(third.promotion.recommendationId, "applied"), deps())).toEqual({
      outcome: "already-settled",
      ref: other,
    });
    expect([...store.versions.entries()]).toEqual(before);
  });

  it("rolled back or rejected → stays a candidate with the outcome recorded; promoting again is a new optimization", async () => {
    await registerFromJob(trainedJob(), deps());
    const v1 = { name: "keyword-scorer", version: "v1" };
    const first = await promoteVersion(v1, operator, deps());
    expect(await settlePromotion(completed(first.promotion.recommendationId, "rolled_back"), deps())).toEqual({
      outcome: "kept",
      ref: v1,
    });
    expect(await store.get(v1)).toMatchObject({
      status: "candidate",
      lastPromotion: { recommendationId: first.promotion.recommendationId, outcome: "rolled_back" },
    });
    const second = await promoteVersion(v1, operator, deps());
    expect(second.promotion.recommendationId).toBe(promotionIdOf(v1, 2));
    expect(second.promotion.recommendationId).not.toBe(first.promotion.recommendationId);
    await settlePromotion(completed(second.promotion.recommendationId, "rejected"), deps());
    expect((await store.get(v1))?.status).toBe("candidate");
  });

  it("ignores optimizations the registry did not start", async () => {
    expect(await settlePromotion(completed("not-a-promotion", "applied"), deps())).toEqual({ outcome: "ignored" });
  });
});

vi.setConfig({ testTimeout: 10_000 });
