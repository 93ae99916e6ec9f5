import { applyStep } from "#optimization/domain/pipeline";
import { pipelineStep, StepInput } from "./pipeline-step";
import { bucket, clock, ledger, locks, store } from "./wiring";

/** Apply: the patched document as a new S3 version, fenced with the lock's token. */
export const handler = pipelineStep(StepInput, ({ recommendationId }) =>
  applyStep(recommendationId, { store: store(), bucket: bucket(), ledger: ledger(), locks: locks(), clock }),
);
