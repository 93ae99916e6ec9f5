import { verifyStep } from "#optimization/domain/pipeline";
import { pipelineStep, StepInput } from "./pipeline-step";
import { bucket, clock, figures, store, verificationWindowSeconds } from "./wiring";

/** Verify: the stored version and its schema, then what the change should move against the version before. */
export const handler = pipelineStep(StepInput, ({ recommendationId }) =>
  verifyStep(recommendationId, {
    store: store(),
    bucket: bucket(),
    figures: figures(),
    clock,
    verificationWindowSeconds: verificationWindowSeconds(),
  }),
);
