import * as z from "zod";
import { JOB_FINISHED, JobFinished } from "#kernel/bus/job-events";
import { registerFromJob } from "#models/domain/registration";
import { instrumented } from "#shared/instrumented";
import { metrics } from "#shared/powertools";
import { artifacts, clock, store } from "./wiring";

const FinishedEvent = z.object({ "detail-type": z.literal(JOB_FINISHED), detail: JobFinished });

/**
 * A succeeded `scorer-training` job's `JobFinished`: its artifact copied into the models bucket
 * and registered as the model's next version. A redelivered event registers nothing; an event
 * whose result or artifact is invalid throws, so it lands in the failure queue (ADR 0017).
 */
export const handler = instrumented(
  async (event: unknown) => {
    const registration = await registerFromJob(FinishedEvent.parse(event).detail, {
      store: store(),
      artifacts: artifacts(),
      clock,
    });
    metrics.addMetric(
      registration.outcome === "registered" ? "ModelVersionsRegistered" : "ModelRegistrationsSkipped",
      "Count",
      1,
    );
    return registration;
  },
  (registration) => ({ ...registration }),
);
