import { eventKey } from "./detection";
import { type DetectedEvent, type DetectionEvaluation, evaluateDetections, type Labels } from "./evaluation";
import type { Feed } from "./feed";
import type { KeywordConfig } from "./keyword-config";
import { scoreItem } from "./tge-scoring";

/**
 * How a keyword config does on a labelled sample: every item scored as keyword-precision would
 * score it, an item counted as detected when it is a TGE with a project (what becomes a
 * `tge.validate` task), then precision and recall per event and per item against the labels.
 *
 * @example
 * evaluateOnSample(DEFAULT_KEYWORD_CONFIG, feed, labels).events.recall // → 1
 */
export function evaluateOnSample(config: KeywordConfig, feed: Feed, labels: Labels): DetectionEvaluation {
  const detections: Record<string, DetectedEvent> = {};
  for (const item of feed.items) {
    const verdict = scoreItem(item, config);
    if (verdict.isTge && verdict.project) {
      detections[item.id] = { eventKey: eventKey(verdict.project), slug: verdict.project.slug };
    }
  }
  return evaluateDetections(labels, detections);
}
