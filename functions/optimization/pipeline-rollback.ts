import { rollbackStep } from "#optimization/domain/pipeline";
import { pipelineStep, StepInput } from "./pipeline-step";
import { bucket, clock, ledger, locks, store } from "./wiring";

/** Roll back: the base version's bytes as a new version, only while the current version is ours. */
export const handler = pipelineStep(StepInput, ({ recommendationId }) =>
  rollbackStep(recommendationId, { store: store(), bucket: bucket(), ledger: ledger(), locks: locks(), clock }),
);
