import * as z from "zod";
import { SETTINGS_CHANGE_PROPOSED, SettingsChangeProposed } from "#kernel/bus/optimization";
import { intakeSettingsChange } from "#optimization/domain/intake";
import { instrumented } from "#shared/instrumented";
import { clock, control, store } from "./wiring";

const ProposedEvent = z.object({ "detail-type": z.literal(SETTINGS_CHANGE_PROPOSED), detail: SettingsChangeProposed });

/**
 * Another context's `SettingsChangeProposed` from the bus (a model's promotion): stored under
 * the proposer's deterministic id and started through the same pipeline as
 * `POST /api/optimizations`. A redelivered event starts nothing twice.
 */
export const handler = instrumented(
  async (event: unknown) =>
    intakeSettingsChange(ProposedEvent.parse(event).detail, { store: store(), control: control(), clock }),
  (result) => ({ recommendationId: result.recommendationId, created: result.created }),
);
