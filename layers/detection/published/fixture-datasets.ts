import heldoutFeed from "../../../fixtures/feeds/tge-heldout.json" with { type: "json" };
import heldoutLabels from "../../../fixtures/feeds/tge-heldout.labels.json" with { type: "json" };
import newsFeed from "../../../fixtures/feeds/tge-news.json" with { type: "json" };
import newsLabels from "../../../fixtures/feeds/tge-news.labels.json" with { type: "json" };
import { type FixtureDataset, LabelledDataset } from "./datasets";

const RAW: Readonly<Record<FixtureDataset, { feed: unknown; labels: unknown }>> = {
  "tge-news": { feed: newsFeed, labels: newsLabels },
  "tge-heldout": { feed: heldoutFeed, labels: heldoutLabels },
};

/**
 * A shipped labelled feed, parsed as an uploaded one would be. Bundled into whatever imports it
 * (the job container), so a job needs no file system or bucket to read the fixtures.
 *
 * @example
 * const { feed, labels } = fixtureDataset("tge-news");
 */
export function fixtureDataset(name: FixtureDataset): LabelledDataset {
  return LabelledDataset.parse(RAW[name]);
}
