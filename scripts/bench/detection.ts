import { readFileSync } from "node:fs";
import { type DetectionEvaluation, evaluateDetections, Labels } from "#detection/domain/evaluation";
import type { FeedServer } from "../local/feed-server";
import { SAMPLE_LABELS_FILE } from "../local/feed-server";
import type { LocalOutputs } from "../local/outputs";
import { localToken } from "../local/users";
import { WsClient } from "../local/ws-client";
import { summarize } from "./stats";

interface Detection {
  eventKey: string;
  project: { slug: string };
  itemIds: string[];
}

/**
 * The detection pipeline end to end, on the sample feed: items appear one at a time, the
 * scraping agent finds them, keyword-precision scores them, data-quality validates and dedupes
 * them. Measures the time from an item appearing to its event's `tge_detected` on the dashboard
 * (seed 001: < 30 s), and precision and recall per TGE event against the feed's labels.
 */
export async function detectionBenchmark(outputs: LocalOutputs, feed: FeedServer, options: { intervalMs: number }) {
  const labels = Labels.parse(JSON.parse(readFileSync(SAMPLE_LABELS_FILE, "utf8")));
  const client = await WsClient.connect(outputs.WebSocketUrl, await localToken(outputs, "viewer"));
  await client.subscribe(["detections"]);
  const publishedAt = new Map<string, number>();
  const detectedAt = new Map<string, { at: number; firstItem: string }>();
  client.socket.on("message", (raw) => {
    const frame = JSON.parse(raw.toString()) as { type: string; data: Detection };
    if (frame.type === "tge_detected" && !detectedAt.has(frame.data.eventKey)) {
      detectedAt.set(frame.data.eventKey, { at: Date.now(), firstItem: frame.data.itemIds[0] as string });
    }
  });
  try {
    const started = Date.now();
    for (const id of feed.itemIds) {
      publishedAt.set(id, Date.now());
      feed.publish([id]);
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
    }
    // Every labelled event detected, or a quiet spell long enough for the last item to have gone through.
    const events = new Set(Object.values(labels).flatMap((label) => (label.event ? [label.event] : [])));
    const settleBy = Date.now() + 45_000;
    while (Date.now() < settleBy && [...events].some((event) => !detectedAt.has(event))) {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await new Promise((resolve) => setTimeout(resolve, 10_000));

    const detections = await listDetections(outputs);
    const byItem = Object.fromEntries(
      detections.flatMap((d) => d.itemIds.map((itemId) => [itemId, { eventKey: d.eventKey, slug: d.project.slug }])),
    );
    const evaluation: DetectionEvaluation = evaluateDetections(labels, byItem);
    const latencies = [...detectedAt.values()].flatMap(({ at, firstItem }) => {
      const published = publishedAt.get(firstItem);
      return published === undefined ? [] : [at - published];
    });
    const stats = feed.stats();
    return {
      feedItems: feed.itemIds.length,
      publishIntervalMs: options.intervalMs,
      runSeconds: Math.round((Date.now() - started) / 1000),
      events: evaluation.events,
      items: evaluation.items,
      itemToTgeDetectedMs: summarize(latencies),
      targetMs: 30_000,
      feedRequests: { total: stats.requests, notModified: stats.notModified, rateLimited: stats.rateLimited },
      tgeDetectedFrames: client.frames.filter((f) => f.type === "tge_detected").length,
    };
  } finally {
    client.close();
  }
}

async function listDetections(outputs: LocalOutputs): Promise<Detection[]> {
  const token = await localToken(outputs, "viewer");
  const all: Detection[] = [];
  let cursor: string | undefined;
  do {
    const response = await fetch(
      `${outputs.HttpApiUrl}/api/detections?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(15_000) },
    );
    if (response.status !== 200) throw new Error(`GET /api/detections answered ${response.status}`);
    const page = (await response.json()) as { items: Detection[]; nextCursor?: string };
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}
