import * as z from "zod";
import { OPTIMIZATION_COMPLETED, OptimizationCompleted } from "#kernel/bus/optimization";
import { settlePromotion } from "#models/domain/promotion";
import { instrumented } from "#shared/instrumented";
import { clock, store } from "./wiring";

const CompletedEvent = z.object({ "detail-type": z.literal(OPTIMIZATION_COMPLETED), detail: OptimizationCompleted });

/**
 * An `OptimizationCompleted`: when it settles a promotion, the model version follows it
 * (applied → promoted, the one before retired; otherwise unchanged). Others are ignored.
 */
export const handler = instrumented(
  async (event: unknown) => settlePromotion(CompletedEvent.parse(event).detail, { store: store(), clock }),
  (settled) => ({ ...settled }),
);
