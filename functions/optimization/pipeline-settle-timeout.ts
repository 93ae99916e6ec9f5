import { settleTimeoutStep } from "#optimization/domain/pipeline";
import { pipelineStep, StepInput } from "./pipeline-step";
import { clock, storeWithTokens } from "./wiring";

/** The approval wait timed out: expired, unless a decision won the conditional write first. */
export const handler = pipelineStep(StepInput, ({ recommendationId }) =>
  settleTimeoutStep(recommendationId, { store: storeWithTokens(), clock }),
);
