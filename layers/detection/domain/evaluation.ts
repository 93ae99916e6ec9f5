import * as z from "zod";
import { projectSlug } from "./tge-scoring";

/** What a labelled item is: a TGE report, or which kind of look-alike. */
export const LABEL_KINDS = [
  "announcement",
  "duplicate",
  "price-talk",
  "name-collision",
  "ai-tokens",
  "rumor",
  "other-meaning",
  "generic",
  "unlock",
  "nft",
  "ipo",
] as const;

/** The answer for one feed item, kept apart from the feed so the served feed carries no answers. */
export const ItemLabel = z
  .object({
    tge: z.boolean(),
    /** The project slug of the TGE reported; items reporting the same TGE share it. */
    event: z.string().min(1).optional(),
    symbol: z.string().optional(),
    kind: z.enum(LABEL_KINDS),
  })
  .strict()
  .refine((label) => label.tge === (label.event !== undefined), { message: "is set exactly when tge is true", path: ["event"] });
export type ItemLabel = z.infer<typeof ItemLabel>;

/** Labels by feed item id. */
export const Labels = z.record(z.string(), ItemLabel);
export type Labels = z.infer<typeof Labels>;

/** What the detector said about one item it flagged. */
export interface DetectedEvent {
  readonly eventKey: string;
  /** The project slug, compared with the label's `event` after both are normalized. */
  readonly slug: string;
}

export interface EventMetrics {
  /** Distinct TGE events in the labels. */
  readonly labeled: number;
  /** Distinct event keys the detector produced. */
  readonly detected: number;
  /** Event keys backed by at least one item labelled as a TGE of that project. */
  readonly correct: number;
  /** correct ÷ detected (1 when nothing was detected: no false claims). */
  readonly precision: number;
  /** Labelled events found by at least one correct item ÷ labelled events (1 when none are labelled). */
  readonly recall: number;
  /** Labelled events with no correct detection. */
  readonly missed: string[];
  /** Event keys with no correct item behind them. */
  readonly spurious: string[];
  /** Labelled events split over several keys (the same TGE alerted more than once). */
  readonly fragmented: Record<string, string[]>;
}

export interface ItemMetrics {
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly trueNegatives: number;
  readonly precision: number;
  readonly recall: number;
  /** Look-alikes flagged as TGEs. */
  readonly falsePositiveIds: string[];
  /** TGE items not flagged, or flagged under another project. */
  readonly missedIds: string[];
  /** Flagged as a TGE, but of a different project than labelled (also counted as a false positive and a miss). */
  readonly wrongProjectIds: string[];
  /** Detections for items that have no label; not counted. */
  readonly unlabeledIds: string[];
}

export interface DetectionEvaluation {
  readonly events: EventMetrics;
  readonly items: ItemMetrics;
}

/**
 * Scores a detector against labels. Precision and recall are measured per TGE event, since an
 * alert is about an event and duplicates of one TGE should count once, with per-item counts and
 * the ids of false positives and misses alongside for a benchmark to report.
 *
 * @example
 * const { events } = evaluateDetections(labels, { "bf-1": { eventKey: "brindle:brdl", slug: "brindle" } });
 * events.precision; // → 1
 */
export function evaluateDetections(
  labels: Readonly<Record<string, ItemLabel>>,
  detections: Readonly<Record<string, DetectedEvent | undefined>>,
): DetectionEvaluation {
  const labeledEvents = new Set<string>();
  const keys = new Map<string, { correctFor: Set<string> }>();
  const foundBy = new Map<string, Set<string>>();
  const counts = { tp: 0, fp: 0, fn: 0, tn: 0 };
  const falsePositiveIds: string[] = [];
  const missedIds: string[] = [];
  const wrongProjectIds: string[] = [];

  for (const [itemId, label] of Object.entries(labels)) {
    const event = label.tge && label.event ? projectSlug(label.event) : undefined;
    if (event) labeledEvents.add(event);
    const detected = detections[itemId];
    if (detected) {
      const key = keys.get(detected.eventKey) ?? { correctFor: new Set<string>() };
      keys.set(detected.eventKey, key);
      if (event && projectSlug(detected.slug) === event) {
        key.correctFor.add(event);
        foundBy.set(event, (foundBy.get(event) ?? new Set<string>()).add(detected.eventKey));
      }
    }

    if (!event && !detected) counts.tn++;
    else if (!event) {
      counts.fp++;
      falsePositiveIds.push(itemId);
    } else if (!detected) {
      counts.fn++;
      missedIds.push(itemId);
    } else if (projectSlug(detected.slug) === event) counts.tp++;
    else {
      counts.fp++;
      counts.fn++;
      falsePositiveIds.push(itemId);
      missedIds.push(itemId);
      wrongProjectIds.push(itemId);
    }
  }

  const correct = [...keys.values()].filter((key) => key.correctFor.size > 0).length;
  const fragmented = Object.fromEntries(
    [...foundBy.entries()].filter(([, found]) => found.size > 1).map(([event, found]) => [event, [...found].sort()]),
  );
  return {
    events: {
      labeled: labeledEvents.size,
      detected: keys.size,
      correct,
      precision: ratio(correct, keys.size),
      recall: ratio(foundBy.size, labeledEvents.size),
      missed: [...labeledEvents].filter((event) => !foundBy.has(event)).sort(),
      spurious: [...keys.entries()]
        .filter(([, key]) => key.correctFor.size === 0)
        .map(([eventKey]) => eventKey)
        .sort(),
      fragmented,
    },
    items: {
      truePositives: counts.tp,
      falsePositives: counts.fp,
      falseNegatives: counts.fn,
      trueNegatives: counts.tn,
      precision: ratio(counts.tp, counts.tp + counts.fp),
      recall: ratio(counts.tp, counts.tp + counts.fn),
      falsePositiveIds,
      missedIds,
      wrongProjectIds,
      unlabeledIds: Object.keys(detections)
        .filter((itemId) => detections[itemId] && !(itemId in labels))
        .sort(),
    },
  };
}

/** A vacuous ratio (nothing claimed, nothing to find) is perfect, not undefined. */
const ratio = (part: number, whole: number) => (whole === 0 ? 1 : Math.round((part / whole) * 1000) / 1000);
