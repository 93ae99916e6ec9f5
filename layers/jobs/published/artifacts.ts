/**
 * Where a `scorer-training` job writes its tuned document in the jobs' artifact bucket: the jobs
 * stack grants the job task writes there, the model registry reads there.
 */
export const SCORER_TRAINING_ARTIFACTS_PREFIX = "scorer-training/";

export const scorerTrainingArtifactKey = (jobId: string) => `${SCORER_TRAINING_ARTIFACTS_PREFIX}${jobId}/detection-keywords.json`;

export { DATA_EXPORT_PREFIX } from "../domain/data-export";
