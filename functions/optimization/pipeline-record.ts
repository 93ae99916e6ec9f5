import * as z from "zod";
import { OptimizationOutcome } from "#kernel/bus/optimization";
import { recordStep } from "#optimization/domain/pipeline";
import { metrics } from "#shared/powertools";
import { pipelineStep, StepInput } from "./pipeline-step";
import { clock, store } from "./wiring";

const RecordInput = StepInput.extend({
  final: z.object({ outcome: OptimizationOutcome, reason: z.string().nullish() }),
});

/** Record: the outcome, once, with the metrics it adds (the table's stream announces it). */
export const handler = pipelineStep(RecordInput, async ({ recommendationId, final }) => {
  const result = await recordStep(
    recommendationId,
    { outcome: final.outcome, reason: final.reason ?? "" },
    { store: store(), clock },
  );
  metrics.addMetric(`Optimizations_${result.outcome}`, "Count", 1);
  return result;
});
