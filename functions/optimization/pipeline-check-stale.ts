import { checkStaleStep } from "#optimization/domain/pipeline";
import { pipelineStep, StepInput } from "./pipeline-step";
import { bucket, clock, store } from "./wiring";

/** Stale check: the document is still at the version the change was computed from. */
export const handler = pipelineStep(StepInput, ({ recommendationId }) =>
  checkStaleStep(recommendationId, { store: store(), bucket: bucket(), clock }),
);
