import type { ValidatedDetection } from "./detection";
import type { TgeDetection } from "#kernel/bus/tge-detected";

/** What recording a detection found: a new event, or one already known (this item is added to it). */
export interface RecordedDetection {
  readonly detection: TgeDetection;
  readonly created: boolean;
  /** Whether `TgeDetected` went out for it; false until `markPublished`. */
  readonly published: boolean;
}

/** Where TGE events are kept, one per event key. */
export interface DetectionStore {
  record(detection: ValidatedDetection, itemId: string, detectionId: string, detectedAt: Date): Promise<RecordedDetection>;
  markPublished(eventKey: string): Promise<void>;
}

/** Headlines already taken on, each by the item (URL fingerprint) that first carried it. */
export interface SeenItems {
  /**
   * Claims `key` for `owner`. True when it is now or already was `owner`'s (a retry of the same
   * item); false when another item claimed it first (a re-post under another URL).
   */
  claim(key: string, owner: string, item: { url: string; title: string; feedUrl: string }, at: Date): Promise<boolean>;
}
