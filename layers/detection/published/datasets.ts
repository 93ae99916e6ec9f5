import * as z from "zod";
import { Labels } from "../domain/evaluation";
import { Feed } from "../domain/feed";

export { Feed, Labels };

/**
 * A labelled dataset, as users upload it and `scorer-training` reads it: a JSON Feed 1.1 document
 * and the answer for each of its items, in the shipped fixtures' format
 * (`fixtures/feeds/tge-news.json` with `tge-news.labels.json`), side by side in one JSON file.
 * Every item has exactly one label and every label an item, so a dataset cannot silently train on
 * unlabelled items.
 */
export const LabelledDataset = z
  .object({ feed: Feed, labels: Labels })
  .strict()
  .superRefine(({ feed, labels }, ctx) => {
    const ids = new Set(feed.items.map((item) => item.id));
    feed.items.forEach((item, index) => {
      if (!Object.hasOwn(labels, item.id)) {
        ctx.addIssue({ code: "custom", path: ["feed", "items", index, "id"], message: `item ${item.id} has no label` });
      }
    });
    for (const id of Object.keys(labels)) {
      if (!ids.has(id)) ctx.addIssue({ code: "custom", path: ["labels", id], message: "labels no item of the feed" });
    }
    if (feed.items.length === 0) ctx.addIssue({ code: "custom", path: ["feed", "items"], message: "holds no items" });
  });
export type LabelledDataset = z.infer<typeof LabelledDataset>;

/** The labelled feeds shipped in `fixtures/feeds/`, by the name a job names them with (`fixture:<name>`). */
export const FIXTURE_DATASETS = ["tge-news", "tge-heldout"] as const;
export const FixtureDataset = z.enum(FIXTURE_DATASETS);
export type FixtureDataset = z.infer<typeof FixtureDataset>;
