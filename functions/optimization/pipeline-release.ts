import { releaseStep } from "#optimization/domain/pipeline";
import { pipelineStep, StepInput } from "./pipeline-step";
import { clock, locks, store } from "./wiring";

/** Release: the document's lock, if the pipeline took it. */
export const handler = pipelineStep(StepInput, ({ recommendationId }) =>
  releaseStep(recommendationId, { store: store(), locks: locks(), clock }),
);
