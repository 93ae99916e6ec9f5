import { assessRiskStep } from "#optimization/domain/pipeline";
import { pipelineStep, StepInput } from "./pipeline-step";
import { bucket, clock, policy, store } from "./wiring";

/** Assess risk: a level from severity, reach and confidence; the stage's policy says whether a person decides. */
export const handler = pipelineStep(StepInput, ({ recommendationId }) =>
  assessRiskStep(recommendationId, { store: store(), bucket: bucket(), clock, policy: policy() }),
);
