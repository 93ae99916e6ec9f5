import * as z from "zod";
import { Insight, InsightTopic, synthesizeAll, type InsightStore } from "./insights";

export const InsightListQuery = z
  .object({
    /** @default every topic */
    topic: InsightTopic.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().min(1).max(2_048).optional(),
  })
  .strict();
export type InsightListQuery = z.infer<typeof InsightListQuery>;

export const InsightPage = z
  .object({ insights: z.array(Insight), nextCursor: z.string().optional() })
  .meta({ id: "InsightPage" });
export type InsightPage = z.infer<typeof InsightPage>;

/** A cursor that is not one this list handed out. */
export class InvalidInsightCursorError extends Error {
  constructor(options: { cause: unknown }) {
    super("cursor is not a cursor from a previous page of this list", options);
    this.name = "InvalidInsightCursorError";
  }
}

const Cursor = z.object({ topic: z.string(), key: z.string() }).strict();
const encode = (insight: Insight) =>
  Buffer.from(JSON.stringify({ topic: insight.topic, key: insight.key })).toString("base64url");

/** One page of live insights, by topic then key, starting after the cursor's insight. */
export async function listInsights(query: InsightListQuery, store: InsightStore, now: Date): Promise<InsightPage> {
  let after: z.infer<typeof Cursor> | undefined;
  if (query.cursor) {
    try {
      after = Cursor.parse(JSON.parse(Buffer.from(query.cursor, "base64url").toString("utf8")));
    } catch (error) {
      throw new InvalidInsightCursorError({ cause: error });
    }
  }
  const topics = query.topic ? [query.topic] : await store.topics();
  const insights: Insight[] = [];
  for (const topic of topics.sort()) {
    if (after && topic < after.topic) continue;
    const all = synthesizeAll(await store.topic(topic), now);
    insights.push(...all.filter((i) => !after || i.topic > after.topic || i.key > after.key));
    if (insights.length > query.limit) break;
  }
  const page = insights.slice(0, query.limit);
  const last = page[page.length - 1];
  return { insights: page, ...(insights.length > query.limit && last ? { nextCursor: encode(last) } : {}) };
}

/** Live insights per topic, for the status view. */
export async function insightCounts(
  store: InsightStore,
  now: Date,
): Promise<{ byTopic: Record<string, number>; newestAt?: number }> {
  const byTopic: Record<string, number> = {};
  let newestAt: number | undefined;
  for (const topic of await store.topics()) {
    const insights = synthesizeAll(await store.topic(topic), now);
    byTopic[topic] = insights.length;
    for (const insight of insights) newestAt = Math.max(newestAt ?? 0, Date.parse(insight.updatedAt));
  }
  return { byTopic, ...(newestAt !== undefined ? { newestAt } : {}) };
}
