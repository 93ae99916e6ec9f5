import * as z from "zod";
import { awaitApprovalStep } from "#optimization/domain/pipeline";
import { pipelineStep, StepInput } from "./pipeline-step";
import { approvalTimeoutSeconds, clock, storeWithTokens } from "./wiring";

const AwaitInput = StepInput.extend({
  /** The state's task token ($$.Task.Token): stored beside the recommendation, and nowhere else. */
  token: z.string().min(1),
  /** When the waiting state was entered ($$.State.EnteredTime): its timeout counts from then. */
  enteredAt: z.iso.datetime({ offset: true }),
});

/** Await approval (`.waitForTaskToken`): keeps the token server-side and marks the recommendation pending. */
export const handler = pipelineStep(AwaitInput, ({ recommendationId, token, enteredAt }) =>
  awaitApprovalStep(recommendationId, token, new Date(enteredAt).toISOString(), {
    store: storeWithTokens(),
    clock,
    approvalTimeoutSeconds: approvalTimeoutSeconds(),
  }),
);
