import * as z from "zod";
import { DynamoDbSeenItems } from "#detection/adapters/dynamodb-seen-items";
import { HttpFeedFetcher } from "#detection/adapters/http-feed-fetcher";
import type { FeedItem } from "#detection/domain/feed";
import { FeedWatcher } from "#detection/domain/feed-watcher";
import { sleep } from "#shared/concurrency";
import { readEnv } from "#shared/env";
import { payloadOf } from "../runtime/payload";
import type { TaskHandler } from "../runtime/task-handler";
import type { Specialist, SpecialistContext } from "../runtime/specialist";
import { submitterFor } from "../runtime/task-submission";

/** Longest story text passed on for scoring; the headline and opening carry the signal. */
const MAX_CONTENT_CHARS = 20_000;

const FeedFetchPayload = z.object({ url: z.url({ protocol: /^https?$/ }) }).strict();

/**
 * scraping-efficiency: watches the configured feeds (every FEED_POLL_SECONDS, within
 * FEED_REQUESTS_PER_MINUTE per host) and passes each new item to keyword-precision as a
 * `tge.score` task. `feed.fetch` polls one feed on demand.
 */
export function scrapingEfficiency(context: SpecialistContext): Specialist {
  const env = readEnv(
    z.object({
      FEED_URLS: z
        .string()
        .default("")
        .transform((raw) => raw.split(",").filter(Boolean))
        .pipe(z.array(z.url())),
      FEED_POLL_SECONDS: z.coerce.number().int().min(1),
      FEED_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1),
      FEED_ITEMS_TABLE: z.string().min(1),
    }),
    context.env,
  );
  const submit = submitterFor(context);
  const handOff = async (item: FeedItem, fingerprint: string, feedUrl: string) => {
    const { created, task } = await submit({
      type: "tge.score",
      agentType: "keyword-precision",
      priority: "high",
      timeoutSeconds: 60,
      idempotencyKey: `score:${fingerprint}`,
      payload: { item: { ...item, content_text: item.content_text.slice(0, MAX_CONTENT_CHARS) }, fingerprint, feedUrl },
    });
    if (created) context.logger.info("feed item passed on for scoring", { itemId: item.id, fingerprint, taskId: task.taskId });
    return created;
  };
  const watcher = new FeedWatcher(new HttpFeedFetcher(), new DynamoDbSeenItems(context.db, env.FEED_ITEMS_TABLE), handOff, {
    requestsPerMinute: env.FEED_REQUESTS_PER_MINUTE,
  });

  const fetchFeed: TaskHandler = async (payload) => {
    const { url } = payloadOf(FeedFetchPayload, payload);
    return { ...(await watcher.poll(url, new Date())) };
  };

  const controller = new AbortController();
  let loop: Promise<void> | undefined;
  const watch = async () => {
    while (!controller.signal.aborted) {
      for (const url of env.FEED_URLS) {
        try {
          const report = await watcher.poll(url, new Date());
          if (report.handedOff > 0 || report.request === "rate-limited") context.logger.info("feed polled", { ...report });
        } catch (error) {
          context.logger.warn("feed poll failed; trying again next round", { url, error });
        }
      }
      await sleep(env.FEED_POLL_SECONDS * 1_000, controller.signal).catch(() => undefined);
    }
  };

  return {
    handlers: { "feed.fetch": fetchFeed },
    ...(env.FEED_URLS.length > 0
      ? {
          background: {
            start: () => {
              context.logger.info("watching feeds", { feeds: env.FEED_URLS, everySeconds: env.FEED_POLL_SECONDS });
              loop = watch();
            },
            stop: async () => {
              controller.abort();
              await loop;
            },
          },
        }
      : {}),
  };
}
