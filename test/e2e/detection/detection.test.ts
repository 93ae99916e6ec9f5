import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { Feed, itemFingerprint } from "#detection/domain/feed";
import { Labels } from "#detection/domain/evaluation";
import { deterministicId } from "#shared/ids";
import { SAMPLE_FEED_FILE, SAMPLE_LABELS_FILE } from "../../../scripts/local/feed-server";
import { type Frame, WsClient } from "../../../scripts/local/ws-client";
import { api, eventually, outputs, type TaskBody, taskUntil, tokenFor } from "../support/api";

const feed = Feed.parse(JSON.parse(readFileSync(SAMPLE_FEED_FILE, "utf8")));
const labels = Labels.parse(JSON.parse(readFileSync(SAMPLE_LABELS_FILE, "utf8")));

/** Items of one TGE event reported twice (original and duplicate), and two look-alikes. */
const duplicated = Object.entries(labels).find(([, label]) => label.kind === "duplicate")?.[1].event as string;
const reports = Object.entries(labels)
  .filter(([, label]) => label.event === duplicated)
  .map(([id]) => id);
const lookAlikes = ["price-talk", "name-collision"].map(
  (kind) => Object.entries(labels).find(([, label]) => label.kind === kind)?.[0] as string,
);

const controlUrl = (path: string) => new URL(path, inject("feedUrl")).toString();
async function publish(ids: string[]): Promise<void> {
  const response = await fetch(controlUrl("/control/publish"), {
    method: "POST",
    body: JSON.stringify({ ids }),
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) throw new Error(`publishing answered ${response.status}`);
}

/** The `tge.score` task the scrapers submit for an item: its id follows from the item's URL. */
const scoreTaskOf = (itemId: string) => {
  const item = feed.items.find((i) => i.id === itemId);
  if (!item) throw new Error(`no item ${itemId}`);
  return deterministicId("task", "system:scraping-efficiency", `score:${itemFingerprint(item)}`);
};

describe("TGE detection from the sample feed", () => {
  let client: WsClient;

  beforeAll(async () => {
    client = await WsClient.connect(outputs().WebSocketUrl, await tokenFor("viewer"));
    await client.subscribe(["detections"]);
  });
  afterAll(() => client?.close());

  it("detects a TGE within 30 s of it appearing in the feed, once per event, and ignores look-alikes", async () => {
    expect(reports).toHaveLength(2);
    // WHEN the original report and two look-alikes appear in the feed…
    const published = Date.now();
    await publish([reports[0] as string, ...lookAlikes]);

    // THEN the dashboard hears one tge_detected for the event, well within seed 001's 30 s
    const detected = await client.waitFor(
      (f: Frame) => f.type === "tge_detected" && (f.data.project as { slug: string }).slug === duplicated,
      30_000,
      `tge_detected for ${duplicated}`,
    );
    expect(Date.parse(detected.timestamp) - published).toBeLessThan(30_000);
    expect(detected.data).toMatchObject({ eventKey: duplicated, itemIds: [reports[0]], url: expect.stringMatching(/^https?:/) });

    // …each look-alike was scored, with the reason it is not a TGE, and handed on no further
    for (const itemId of lookAlikes) {
      const scored = await taskUntil(scoreTaskOf(itemId), (t) => t.status === "completed", 20_000, `scoring of ${itemId}`);
      expect(scored.result).toMatchObject({ itemId, isTge: false });
      expect((scored.result as { signals: string[] }).signals.length).toBeGreaterThan(0);
      expect(scored.result).not.toHaveProperty("validationTaskId");
    }

    // WHEN a second outlet reports the same TGE
    await publish([reports[1] as string]);
    const second = await taskUntil(scoreTaskOf(reports[1] as string), (t) => t.status === "completed", 20_000);
    const validation = await taskUntil(
      String((second.result as { validationTaskId: string }).validationTaskId),
      (t: TaskBody) => t.status === "completed",
      20_000,
      "validation of the second report",
    );
    // THEN it joins the detection instead of announcing the event again
    expect(validation.result).toMatchObject({ outcome: "duplicate", eventKey: duplicated, reports: 2 });
    const { body } = await api<{ items: { eventKey: string; itemIds: string[] }[] }>("GET", "/api/detections", {
      token: await tokenFor("viewer"),
    });
    expect(body.items.find((d) => d.eventKey === duplicated)?.itemIds).toEqual(reports);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(client.frames.filter((f) => f.type === "tge_detected" && f.data.eventKey === duplicated)).toHaveLength(1);
  });

  it("polls the feed within its rate limit, revalidating with the ETag", async () => {
    const stats = await eventually(
      async () =>
        (await (await fetch(controlUrl("/control/stats"), { signal: AbortSignal.timeout(5_000) })).json()) as {
          requests: number;
          notModified: number;
          rateLimited: number;
        },
      (s) => s.notModified > 0,
      15_000,
      "a 304 from the feed",
    );
    expect(stats.requests).toBeGreaterThan(stats.notModified);
    expect(stats.rateLimited).toBe(0);
  });
});
