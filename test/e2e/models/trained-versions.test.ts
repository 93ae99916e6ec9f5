import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { ScorerTrainingResult } from "#kernel/bus/job-events";
import type { ModelVersion } from "#models/domain/model-version";
import { api, eventually } from "../support/api";

/**
 * The three contexts end to end: a real `scorer-training` job (a job task the job runner runs as
 * a process) on a shipped labelled feed and on a dataset uploaded through the files API, and
 * the model registry registering each result as a version with the job's held-out figures.
 */
interface Job {
  readonly jobId: string;
  readonly status: string;
  readonly result?: ScorerTrainingResult;
  readonly reason?: string;
}

const MODEL = "e2e-trained-scorer";

async function train(datasets: string[]): Promise<Job> {
  const submitted = await api<Job>("POST", "/api/jobs", {
    body: { type: "scorer-training", parameters: { datasets, candidates: 10, modelName: MODEL } },
  });
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
  return eventually(
    async () => (await api<Job>("GET", `/api/jobs/${submitted.body.jobId}`)).body,
    (job) => ["succeeded", "failed", "cancelled"].includes(job.status),
    120_000,
    `training on ${datasets.join(", ")}`,
    500,
  );
}

async function registeredFrom(job: Job): Promise<ModelVersion> {
  const page = await eventually(
    async () => (await api<{ items?: ModelVersion[] }>("GET", `/api/models/${MODEL}/versions?limit=50`)).body,
    (body) => body.items?.some((version) => version.jobId === job.jobId) ?? false,
    30_000,
    `the version registered from job ${job.jobId}`,
  );
  const version = page.items?.find((v) => v.jobId === job.jobId);
  if (!version) throw new Error("unreachable: eventually returned a page without the version");
  return version;
}

/** An uploaded dataset: a shipped feed and its labels side by side, through a presigned POST. */
async function uploadDataset(name: string): Promise<string> {
  const feeds = path.resolve(import.meta.dirname, "../../../fixtures/feeds");
  const content = JSON.stringify({
    feed: JSON.parse(readFileSync(path.join(feeds, `${name}.json`), "utf8")),
    labels: JSON.parse(readFileSync(path.join(feeds, `${name}.labels.json`), "utf8")),
  });
  const bytes = Buffer.from(content);
  const asked = await api<{ files: { file: { fileId: string }; upload: { url: string; fields: Record<string, string> } }[] }>(
    "POST",
    "/api/files/uploads",
    { body: { files: [{ name: `${name}.json`, size: bytes.length, contentType: "application/json", fileType: "dataset" }] } },
  );
  const [upload] = asked.body.files ?? [];
  if (!upload) throw new Error(`uploads answered ${asked.status}: ${JSON.stringify(asked.body)}`);
  const form = new FormData();
  for (const [field, value] of Object.entries(upload.upload.fields)) form.append(field, value);
  form.append("file", new Blob([bytes]), `${name}.json`);
  const posted = await fetch(upload.upload.url, { method: "POST", body: form, signal: AbortSignal.timeout(15_000) });
  expect(posted.ok, `S3 answered ${posted.status}`).toBe(true);
  const { fileId } = upload.file;
  const file = await eventually(
    async () => (await api<{ status: string; reasons?: unknown }>("GET", `/api/files/${fileId}`)).body,
    (record) => record.status !== "pending",
    30_000,
    "the upload's verdict",
  );
  expect(file, JSON.stringify(file)).toMatchObject({ status: "valid" });
  return fileId;
}

describe("trained scorers become model versions", () => {
  it("a job on the shipped labelled feed registers a version with the job's held-out figures", async () => {
    const job = await train(["fixture:tge-news"]);
    expect(job, job.reason).toMatchObject({ status: "succeeded" });
    const result = job.result as ScorerTrainingResult;

    const version = await registeredFrom(job);
    expect(version).toMatchObject({
      name: MODEL,
      status: "candidate",
      datasets: ["fixture:tge-news"],
      heldOut: result.heldOut,
      training: result.training,
      baseline: result.baseline,
      candidatesTried: result.candidatesTried,
    });
    // Held out means never tuned on: the figures are measured on items the search did not see.
    expect(result.heldOut.items).toBeGreaterThan(0);
    expect(result.heldOut.items + result.training.items).toBeLessThanOrEqual(62);
  }, 180_000);

  it("a job on an uploaded dataset reads the validated file and registers its version too", async () => {
    const fileId = await uploadDataset("tge-heldout");
    const job = await train([`file:${fileId}`]);
    expect(job, job.reason).toMatchObject({ status: "succeeded" });

    const version = await registeredFrom(job);
    expect(version.datasets).toEqual([`file:${fileId}`]);
    // The uploaded feed has 65 items, the shipped one 62: the figures are this dataset's.
    expect(version.heldOut.items + version.training.items).toBe(65);
  }, 180_000);

  it("refuses a file that is not a valid dataset (the control: the job fails, naming it, and nothing is registered)", async () => {
    const job = await train(["file:no-such-file"]);
    expect(job.status).toBe("failed");
    expect(job.reason).toMatch(/no-such-file/);
    const page = (await api<{ items?: ModelVersion[] }>("GET", `/api/models/${MODEL}/versions?limit=50`)).body;
    expect(page.items?.some((v) => v.jobId === job.jobId) ?? false).toBe(false);
  }, 180_000);
});
