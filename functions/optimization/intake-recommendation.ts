import * as z from "zod";
import { Recommendation } from "#kernel/bus/optimization";
import { intakeRecommendation } from "#optimization/domain/intake";
import { instrumented } from "#shared/instrumented";
import { bucket, clock, control, store } from "./wiring";

const RecommendedEvent = z.object({ "detail-type": z.literal("OptimizationRecommended"), detail: Recommendation });

/**
 * A reviewer's `OptimizationRecommended` from the bus: mapped onto the settings document it
 * concerns and started through the same pipeline as `POST /api/optimizations`. A redelivered
 * event starts nothing twice (the execution is named by the recommendation id).
 */
export const handler = instrumented(
  async (event: unknown) =>
    intakeRecommendation(RecommendedEvent.parse(event).detail, { store: store(), bucket: bucket(), control: control(), clock }),
  (result) => ({ recommendationId: result.recommendationId, created: result.created }),
);
