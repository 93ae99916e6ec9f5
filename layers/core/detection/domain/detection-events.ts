import { type DomainEvent, EVENT_SOURCES } from "#core/shared/events";
import type { TgeDetection } from "./detection";

export const TGE_DETECTED = "TgeDetected";

/** Announces a TGE event, once per event key (a repeat carries the same `detectionId`). */
export const tgeDetectedEvent = (detection: TgeDetection): DomainEvent<TgeDetection> => ({
  source: EVENT_SOURCES.detection,
  detailType: TGE_DETECTED,
  detail: detection,
});
