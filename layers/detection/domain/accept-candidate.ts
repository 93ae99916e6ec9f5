import { deterministicId } from "#shared/ids";
import { validateCandidate } from "./detection";
import { tgeDetectedEvent } from "./detection-events";
import type { DetectionStore } from "./ports";
import type { EventPublisher } from "#kernel/bus/domain-event";
import type { TgeDetection } from "#kernel/bus/tge-detected";

/** `detected`: this call announced the event; `duplicate`: it was announced before. */
export type CandidateOutcome =
  | { readonly outcome: "rejected"; readonly problems: readonly string[] }
  | { readonly outcome: "duplicate"; readonly detection: TgeDetection }
  | { readonly outcome: "detected"; readonly detection: TgeDetection };

export interface AcceptDeps {
  readonly store: DetectionStore;
  readonly publisher: EventPublisher;
  readonly now: Date;
  /** The score a candidate must reach. */
  readonly threshold: number;
}

/**
 * Data-quality's step: validate and sanitize a candidate, then record it under its event key. The
 * first item of an event makes a detection and announces it (`TgeDetected`); later items of the
 * same event are added to it and announce nothing. If the announcement failed before, a retry
 * of any item of the event sends it, so no detection goes unannounced. The detection id follows
 * from the event key, so a repeated announcement is recognizably the same detection.
 *
 * @example
 * const result = await acceptCandidate(candidate, { store, publisher, now: new Date(), threshold: 0.5 });
 */
export async function acceptCandidate(candidate: unknown, deps: AcceptDeps): Promise<CandidateOutcome> {
  const verdict = validateCandidate(candidate, deps.now, deps.threshold);
  if (!verdict.ok) return { outcome: "rejected", problems: verdict.problems };
  const itemId = (candidate as { itemId: string }).itemId;
  const key = verdict.detection.eventKey;
  const recorded = await deps.store.record(verdict.detection, itemId, deterministicId("detection", key), deps.now);
  if (recorded.published) return { outcome: "duplicate", detection: recorded.detection };
  // New, or an earlier announcement failed: this call announces it.
  await deps.publisher.publish([tgeDetectedEvent(recorded.detection)]);
  await deps.store.markPublished(key);
  return { outcome: "detected", detection: recorded.detection };
}
