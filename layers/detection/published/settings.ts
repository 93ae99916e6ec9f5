import * as z from "zod";
import { distinct } from "#shared/distinct";
import feedJson from "../../../fixtures/feeds/tge-news.json" with { type: "json" };
import labelsJson from "../../../fixtures/feeds/tge-news.labels.json" with { type: "json" };
import { type DetectionEvaluation, Labels } from "../domain/evaluation";
import { Feed } from "../domain/feed";
import { DEFAULT_KEYWORD_CONFIG, KeywordConfig } from "../domain/keyword-config";
import { evaluateOnSample } from "../domain/sample-evaluation";

export { DEFAULT_KEYWORD_CONFIG, KeywordConfig };
export type { DetectionEvaluation };

/** The settings documents detection runs on, by the name they have in the settings bucket. */
export const DETECTION_DOCUMENTS = {
  /** keyword-precision's phrases, weights, look-alike penalties, watchlist and threshold. */
  keywords: "detection-keywords",
  /** The feeds scraping-efficiency watches, how often, and how politely. */
  sources: "feed-sources",
} as const;

/** What scraping-efficiency polls: its `feed-sources` document. */
export const FeedSources = z
  .object({
    feeds: z
      .array(z.object({ url: z.url({ protocol: /^https?$/ }) }).strict())
      .max(20)
      .refine((feeds) => distinct(feeds, (f) => f.url), "lists a feed twice"),
    /** Seconds between two polls of a feed. */
    pollSeconds: z.number().int().min(1).max(3_600),
    /** Requests per minute one agent makes to one feed host at most. */
    requestsPerMinute: z.number().int().min(1).max(6_000),
  })
  .strict();
export type FeedSources = z.infer<typeof FeedSources>;

/** The `feed-sources` document a stage starts with. */
export const feedSourcesOf = (urls: readonly string[], pollSeconds: number, requestsPerMinute: number): FeedSources => ({
  feeds: urls.map((url) => ({ url })),
  pollSeconds,
  requestsPerMinute,
});

let sample: { feed: Feed; labels: Labels } | undefined;

/**
 * A keyword config's precision and recall on the labelled sample feed (the 62 items of
 * `fixtures/feeds/tge-news.json`, 20 reports of 16 TGEs and 42 look-alikes, bundled with the
 * code that calls this): how the optimization pipeline verifies a change to detection.
 *
 * @example
 * const { events } = evaluateOnLabelledSample(KeywordConfig.parse(candidate));
 */
export function evaluateOnLabelledSample(config: KeywordConfig): DetectionEvaluation {
  sample ??= { feed: Feed.parse(feedJson), labels: Labels.parse(labelsJson) };
  return evaluateOnSample(config, sample.feed, sample.labels);
}
