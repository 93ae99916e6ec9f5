import { acquireLockStep } from "#optimization/domain/pipeline";
import { pipelineStep, StepInput } from "./pipeline-step";
import { clock, lockLeaseSeconds, locks, lockWaitSeconds, store } from "./wiring";

/** Acquire the coordination lock on the target document: acquired, busy (the machine waits and asks again), or conflict. */
export const handler = pipelineStep(StepInput, ({ recommendationId }) =>
  acquireLockStep(recommendationId, {
    store: store(),
    locks: locks(),
    clock,
    lockWaitSeconds: lockWaitSeconds(),
    lockLeaseSeconds: lockLeaseSeconds(),
  }),
);
