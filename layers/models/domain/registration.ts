import { createHash } from "node:crypto";
import { type JobFinished, ScorerTrainingResult, trainingJobOf } from "#kernel/bus/job-events";
import { KeywordConfig } from "#detection/published/settings";
import { InvalidArtifactError, InvalidTrainingResultError } from "./errors";
import { labelOf, MODEL_DOCUMENT, type ModelVersion } from "./model-version";
import type { RegistryDeps, VersionRef } from "./ports";

/** Where a job's artifact is kept in the models bucket: one object per job, so a retried copy lands on the same key. */
export const artifactKeyOf = (name: string, jobId: string): string => `models/${name}/${jobId}.json`;

/**
 * Each round of registrations racing for one model's next number has one winner, so the last of
 * n at once needs n attempts; seed 002 asks for 10+ concurrent jobs, and twice that is headroom.
 */
const MAX_NUMBER_ATTEMPTS = 20;

export type Registration =
  | { readonly outcome: "registered"; readonly ref: VersionRef }
  | { readonly outcome: "already-registered"; readonly ref: VersionRef }
  /** Not a succeeded scorer-training job: nothing to register (the bus rule lets only those through). */
  | { readonly outcome: "ignored" };

/** The artifact's JSON, checked to be a keyword config; `InvalidArtifactError` names what is wrong. */
export function parseArtifact(jobId: string, body: Uint8Array): unknown {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body).toString("utf8"));
  } catch (error) {
    throw new InvalidArtifactError(jobId, [`not JSON: ${error instanceof Error ? error.message : String(error)}`]);
  }
  const config = KeywordConfig.safeParse(json);
  if (!config.success) {
    throw new InvalidArtifactError(
      jobId,
      config.error.issues.map((issue) => `/${issue.path.join("/")}: ${issue.message}`),
    );
  }
  return json;
}

/**
 * The version of the same model whose tuned config the search started from: the config names
 * the job that tuned it, and that job's registration names the version. None when the search
 * started from a config no version of this model produced (the shipped one, a hand edit,
 * another model's).
 */
async function parentOf(training: ScorerTrainingResult, deps: RegistryDeps): Promise<string | undefined> {
  const origin = trainingJobOf(training.startedFrom.configVersion);
  if (origin?.modelName !== training.modelName) return undefined;
  const parent = await deps.store.registrationOf(origin.jobId);
  return parent?.name === training.modelName ? parent.version : undefined;
}

export const sha256Of = (body: Uint8Array): string => createHash("sha256").update(body).digest("hex");

/**
 * Registers the version a succeeded `scorer-training` job produced: checks its result, copies
 * its artifact into the models bucket (checked to be a keyword config), and stores the version
 * under the next number of its model. Idempotent by job: the job's registration is written in
 * the same transaction as the version, so a redelivered event finds it and registers nothing.
 *
 *   event ─ job registered? ─ yes ─▶ already-registered (nothing written)
 *            └ no ─▶ copy artifact (same key per job) ─▶ n = latest ─▶ put v(n+1) ∧ job ∧ latest = n+1 if latest = n
 *                                                                        ├ ok ─▶ registered
 *                                                                        ├ job taken ─▶ already-registered
 *                                                                        └ number taken ─▶ read latest again
 *
 * @example
 * const { outcome } = await registerFromJob(jobFinished, { store, artifacts, clock });
 */
export async function registerFromJob(job: JobFinished, deps: RegistryDeps): Promise<Registration> {
  if (job.jobType !== "scorer-training" || job.status !== "succeeded") return { outcome: "ignored" };
  const result = ScorerTrainingResult.safeParse(job.result);
  if (!result.success) {
    throw new InvalidTrainingResultError(
      job.jobId,
      result.error.issues.map((issue) => `result.${issue.path.join(".")}: ${issue.message}`),
    );
  }
  const earlier = await deps.store.registrationOf(job.jobId);
  if (earlier) return { outcome: "already-registered", ref: earlier };

  const training = result.data;
  const body = await deps.artifacts.readSource(training.artifact);
  parseArtifact(job.jobId, body);
  const key = artifactKeyOf(training.modelName, job.jobId);
  const stored = await deps.artifacts.put(key, body);
  const parentVersion = await parentOf(training, deps);

  for (let attempt = 0; attempt < MAX_NUMBER_ATTEMPTS; attempt++) {
    const latest = (await deps.store.summary(training.modelName))?.versions ?? 0;
    const now = deps.clock.now().toISOString();
    const version: ModelVersion = {
      name: training.modelName,
      version: labelOf(latest + 1),
      number: latest + 1,
      ...(parentVersion ? { parentVersion } : {}),
      jobId: job.jobId,
      datasets: training.datasets,
      heldOut: training.heldOut,
      training: training.training,
      baseline: training.baseline,
      candidatesTried: training.candidatesTried,
      document: MODEL_DOCUMENT,
      artifact: { key, versionId: stored.versionId, sha256: sha256Of(body), bytes: body.byteLength },
      createdBy: job.createdBy,
      createdAt: now,
      status: "candidate",
      promotionAttempts: 0,
      updatedAt: now,
    };
    const outcome = await deps.store.register(version);
    if (outcome === "registered") return { outcome, ref: { name: version.name, version: version.version } };
    if (outcome === "job-registered") {
      const ref = await deps.store.registrationOf(job.jobId);
      if (!ref) throw new Error(`job ${job.jobId} was registered and then was not`);
      return { outcome: "already-registered", ref };
    }
  }
  throw new Error(`could not number a version of ${training.modelName} in ${MAX_NUMBER_ATTEMPTS} attempts`);
}
