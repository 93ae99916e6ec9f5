import { type ScorerTrainingResult, trainedConfigVersion } from "#kernel/bus/job-events";
import type { LabelledDataset } from "#detection/published/datasets";
import { KeywordConfig } from "#detection/published/scorer";
import { ScorerTrainingParameters } from "./job";
import type { ArtifactStore } from "./ports";
import type { JobRunner } from "./run-job";
import type { ProgressReporter } from "./progress";
import { labelledItems, scorerFigures, searchScorer, stratifiedSplit } from "./scorer-training";
import { scorerTrainingArtifactKey } from "../published/artifacts";

/** Resolves a dataset reference (`fixture:<name>`, `file:<fileId>`) to its labelled items. */
export interface DatasetSource {
  load(ref: string): Promise<LabelledDataset>;
}

/** A config to start from, and the S3 version of the settings document it was read from. */
export interface StartConfig {
  readonly value: KeywordConfig;
  readonly settingsVersion: string;
}

export interface ScorerTrainingDeps {
  readonly datasets: DatasetSource;
  readonly artifacts: ArtifactStore;
  readonly progress: ProgressReporter;
  /**
   * The config the search starts from: the `detection-keywords` version agents run on now, so a
   * job after a promotion tunes the promoted model further rather than the shipped config.
   */
  readonly startConfig: () => Promise<StartConfig>;
  /** Waits between reports when the job asks for pacing. */
  readonly sleep: (ms: number) => Promise<void>;
}

/**
 * `scorer-training`: load the datasets, hold out a stratified share chosen by the seed, search
 * on the rest, then measure the tuned config and the starting config on the held-out items
 * (which the search never saw), write the tuned document as the job's artifact, and answer the
 * result the model registry registers.
 */
export async function runScorerTraining(
  jobId: string,
  parameters: ScorerTrainingParameters,
  deps: ScorerTrainingDeps,
): Promise<ScorerTrainingResult> {
  const { progress } = deps;
  const pace = () => (parameters.paceMillis > 0 ? deps.sleep(parameters.paceMillis) : Promise.resolve());
  await progress.report(0, "loading datasets", { force: true, message: parameters.datasets.join(", ") });
  await pace();
  const loaded = [];
  for (const [index, ref] of parameters.datasets.entries()) {
    loaded.push({ ref, dataset: await deps.datasets.load(ref) });
    await progress.report(
      (5 * (index + 1)) / parameters.datasets.length,
      `loading datasets ${index + 1} of ${parameters.datasets.length}`,
    );
  }
  const start = await deps.startConfig();
  const split = stratifiedSplit(labelledItems(loaded), parameters.heldOutFraction, parameters.seed);
  await progress.report(5, "splitting", {
    force: true,
    message: `${split.training.length} items to tune on, ${split.heldOut.length} held out; starting from ${start.value.version}`,
  });
  await pace();

  const searched = await searchScorer(start.value, split.training, {
    candidates: parameters.candidates,
    seed: parameters.seed,
    onProgress: async ({ tried, of, bestF1 }) => {
      await progress.report(5 + (90 * tried) / of, `searching ${tried} of ${of}`, {
        message: `best training F1 ${bestF1.toFixed(3)}`,
        force: parameters.paceMillis > 0,
      });
      await pace();
    },
  });

  await progress.report(96, "measuring on held-out items", { force: true });
  await pace();
  const tuned = KeywordConfig.parse({ ...searched.config, version: trainedConfigVersion(parameters.modelName, jobId) });
  const heldOut = scorerFigures(tuned, split.heldOut);
  const baseline = scorerFigures(start.value, split.heldOut);
  await progress.report(98, "writing the artifact", { force: true });
  await pace();
  const artifact = await deps.artifacts.putJson(scorerTrainingArtifactKey(jobId), tuned);
  await progress.report(100, "done", {
    force: true,
    message: `held-out F1 ${heldOut.f1.toFixed(3)} (baseline ${baseline.f1.toFixed(3)})`,
  });
  // Paced, the last report is also spaced from the result, so a watcher sees them in order.
  await pace();
  return {
    modelName: parameters.modelName,
    startedFrom: { settingsVersion: start.settingsVersion, configVersion: start.value.version },
    artifact,
    datasets: parameters.datasets,
    training: searched.training,
    heldOut,
    baseline,
    candidatesTried: searched.candidatesTried,
  };
}

/** `scorer-training` as a job type's runner. */
export const scorerTrainingRunner =
  (deps: Pick<ScorerTrainingDeps, "datasets" | "artifacts" | "startConfig">): JobRunner =>
  (jobId, parameters, { progress, sleep }) =>
    runScorerTraining(jobId, ScorerTrainingParameters.parse(parameters), { ...deps, progress, sleep });
