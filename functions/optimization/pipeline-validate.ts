import { validateStep } from "#optimization/domain/pipeline";
import { pipelineStep, StepInput } from "./pipeline-step";
import { bucket, clock, store } from "./wiring";

/** Validate: the patch applies to its base version and the result passes the document's schema. */
export const handler = pipelineStep(StepInput, ({ recommendationId }) =>
  validateStep(recommendationId, { store: store(), bucket: bucket(), clock }),
);
