import { envContract, envVar } from "#shared/env-contract";

/**
 * The variables of the detection context's function and specialists, declared once: the
 * detection stack writes them with `toEnvironment` (into the list-detections function and the
 * specialists' resources), `functions/detection` and `containers/agent/src/detection` read them.
 */
export const DetectionsTableEnvironment = envContract({ DETECTIONS_TABLE: envVar.name() });

/** What scraping-efficiency is started with beyond the settings bucket, the locks and the insights. */
export const FeedScraperEnvironment = envContract({
  /** Hosts of feeds on this machine (the local fixture feed), allowed though internal: empty except on local. */
  FEED_PRIVATE_HOSTS: envVar.list(),
  /** The deployed poll interval: it sizes the feed-host leases (the document's own interval paces the polls). */
  FEED_POLL_SECONDS: envVar.int({ min: 1 }),
  FEED_BREAKER_FAILURE_THRESHOLD: envVar.int({ min: 1 }),
  FEED_BREAKER_RECOVERY_SECONDS: envVar.int({ min: 1 }),
  /** The items every scraper has seen (the shared dedupe). */
  FEED_ITEMS_TABLE: envVar.name(),
});
