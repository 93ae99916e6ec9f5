import { type DomainEvent, EVENT_SOURCES } from "#kernel/bus/domain-event";
import { TGE_DETECTED, type TgeDetection } from "#kernel/bus/tge-detected";

/** Announces a TGE event, once per event key (a repeat carries the same `detectionId`). */
export const tgeDetectedEvent = (detection: TgeDetection): DomainEvent<TgeDetection> => ({
  source: EVENT_SOURCES.detection,
  detailType: TGE_DETECTED,
  detail: detection,
});
