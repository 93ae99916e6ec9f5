import * as z from "zod";
import { DETECTION_DOCUMENTS, FeedSources, KeywordConfig } from "#detection/published/settings";
import { RUNTIME_SETTINGS_DOCUMENT, RuntimeSettings } from "../published/runtime-settings";
import { REVIEW_THRESHOLDS_DOCUMENT, ReviewThresholds } from "./review-thresholds";

/** Every settings document the swarm runs on, by its name in the settings bucket. */
export const SETTINGS_NAMES = [
  DETECTION_DOCUMENTS.keywords,
  DETECTION_DOCUMENTS.sources,
  REVIEW_THRESHOLDS_DOCUMENT,
  RUNTIME_SETTINGS_DOCUMENT,
] as const;
export const SettingsName = z.enum(SETTINGS_NAMES);
export type SettingsName = z.infer<typeof SettingsName>;

/** How a change to a document is verified once its schema holds. */
export type Verification =
  /** Precision and recall on the labelled sample feed, against the version before. */
  | "labelled-sample"
  /** The affected agent types' task outcomes over a window after the change, against the window before. */
  | "task-metrics"
  /** Nothing measures its effect directly (it changes what is proposed or fetched, not how work goes). */
  | "schema-only";

/** What the pipeline knows about one settings document. */
export interface SettingsDocumentSpec {
  readonly name: SettingsName;
  readonly description: string;
  readonly schema: z.ZodType;
  /** Who reads it; shown by `GET /api/settings`. */
  readonly consumers: readonly string[];
  /**
   * How far a change to it reaches before anything measures it, from 0 (one kind of consumer,
   * verified against labelled data or live figures) to 2; risk assessment adds it.
   */
  readonly baseReach: 0 | 1 | 2;
  readonly verification: Verification;
}

/** Every settings document, with its schema, its consumers and how changes to it are judged. */
export const SETTINGS_DOCUMENTS: Readonly<Record<SettingsName, SettingsDocumentSpec>> = {
  [DETECTION_DOCUMENTS.keywords]: {
    name: DETECTION_DOCUMENTS.keywords,
    description: "keyword-precision's phrases and weights, look-alike penalties, watchlist and TGE threshold",
    schema: KeywordConfig,
    consumers: ["keyword-precision agents (every tge.score task)"],
    baseReach: 0,
    verification: "labelled-sample",
  },
  [DETECTION_DOCUMENTS.sources]: {
    name: DETECTION_DOCUMENTS.sources,
    description: "the feeds scraping-efficiency watches, its poll interval and its per-host request limit",
    schema: FeedSources,
    consumers: ["scraping-efficiency agents (every poll round)"],
    // It changes what the swarm sees at all, and no labelled data says whether a new feed is good.
    baseReach: 1,
    verification: "schema-only",
  },
  [REVIEW_THRESHOLDS_DOCUMENT]: {
    name: REVIEW_THRESHOLDS_DOCUMENT,
    description: "when api-reliability and performance-optimizer propose a change",
    schema: ReviewThresholds,
    consumers: ["api-reliability and performance-optimizer agents (every metrics.review task)"],
    baseReach: 0,
    verification: "schema-only",
  },
  [RUNTIME_SETTINGS_DOCUMENT]: {
    name: RUNTIME_SETTINGS_DOCUMENT,
    description: "per agent type: tasks at once, retry backoff, the timeout of the swarm's own tasks; the most agents per type",
    schema: RuntimeSettings,
    consumers: [
      "every agent (concurrency, retry backoff)",
      "agents and the review schedule (timeouts of the tasks they submit)",
      "scaler, health monitor and PUT /api/agent-types/{type}/scale (agents per type)",
    ],
    baseReach: 0,
    verification: "task-metrics",
  },
};
