import * as z from "zod";
import { DynamoDbSeenItems } from "#detection/adapters/dynamodb-seen-items";
import { CircuitBreakingFeedFetcher } from "#detection/adapters/circuit-breaking-fetcher";
import { FeedScraperEnvironment } from "#detection/adapters/function-environments";
import { HttpFeedFetcher } from "#detection/adapters/http-feed-fetcher";
import { FeedUrlRefusedError, requireConfigured } from "#detection/domain/feed-url-policy";
import type { FeedItem } from "#detection/domain/feed";
import { FeedWatcher } from "#detection/domain/feed-watcher";
import { INSIGHT_TOPICS, InsightsEnvironment, SharedMemory } from "#coordination/published/insights";
import { LocksTableEnvironment, LockTimeoutEnvironment, ResourceLocks, untilAborted } from "#coordination/published/locks";
import { DETECTION_DOCUMENTS, FeedSources } from "#detection/published/settings";
import { s3SettingsReader, SettingsEnv } from "#optimization/published/settings-reader";
import { sleep } from "#shared/concurrency";
import { readEnv } from "#shared/env";
import { FeedHostLeases } from "./feed-leases";
import { SourceStats } from "./source-reliability";
import { payloadOf } from "../runtime/payload";
import { NonRetryableTaskError, type TaskHandler } from "../runtime/task-handler";
import type { Specialist, SpecialistContext } from "../runtime/specialist";
import { submitterFor } from "../runtime/task-submission";

/** Longest story text passed on for scoring; the headline and opening carry the signal. */
const MAX_CONTENT_CHARS = 20_000;

const FeedFetchPayload = z.object({ url: z.url({ protocol: /^https?$/ }) }).strict();

/**
 * scraping-efficiency: watches the feeds of the `feed-sources` settings document (every
 * `pollSeconds`, within `requestsPerMinute` per host; re-read every round, so a change needs no
 * restart) and passes each new item to keyword-precision as a `tge.score` task, with the
 * timeout the runtime settings give keyword-precision's tasks. Across the fleet one scraper polls each host, the holder of `feed/<host>`
 * (`FeedHostLeases`), and shares the host's reliability and latency as an insight
 * (`scraping.sources`). `feed.fetch` polls one feed on demand.
 */
export function scrapingEfficiency(context: SpecialistContext): Specialist {
  const env = { ...readEnv(SettingsEnv, context.env), ...FeedScraperEnvironment.read(context.env) };
  const sources = s3SettingsReader({
    s3: context.s3,
    env,
    document: DETECTION_DOCUMENTS.sources,
    schema: FeedSources,
    onProblem: (message, details) => context.logger.error(message, details),
  });
  // Until the first read, the watcher's limit is the strictest there is.
  let current: FeedSources = { feeds: [], pollSeconds: env.FEED_POLL_SECONDS, requestsPerMinute: 1 };
  const shared = InsightsEnvironment.and(LocksTableEnvironment).and(LockTimeoutEnvironment).read(context.env);
  const holder = `agent:${context.agentId}`;
  const memory = new SharedMemory({ db: context.db, tableName: shared.INSIGHTS_TABLE, contributor: holder });
  // Five polls' worth, so a renewal or two can fail without losing the host; never past the stage's longest lease.
  const leaseMs = Math.min(shared.RESOURCE_LOCK_TIMEOUT_SECONDS, Math.max(10, env.FEED_POLL_SECONDS * 5)) * 1_000;
  const leases = new FeedHostLeases(new ResourceLocks({ db: context.db, tableName: shared.LOCKS_TABLE }), {
    holder,
    ttlMs: leaseMs,
    logger: context.logger,
  });
  const stats = new SourceStats();
  const published = new Map<string, number>();
  const submit = submitterFor(context);
  const handOff = async (item: FeedItem, fingerprint: string, feedUrl: string) => {
    const { created, task } = await submit({
      type: "tge.score",
      agentType: "keyword-precision",
      priority: "high",
      timeoutSeconds: (await context.runtimeSettings.current()).value.agentTypes["keyword-precision"].taskTimeoutSeconds,
      idempotencyKey: `score:${fingerprint}`,
      payload: { item: { ...item, content_text: item.content_text.slice(0, MAX_CONTENT_CHARS) }, fingerprint, feedUrl },
    });
    if (created) context.logger.info("feed item passed on for scoring", { itemId: item.id, fingerprint, taskId: task.taskId });
    return created;
  };
  // Only the feeds the feed-sources document lists may be fetched, read at each request like the limit.
  const policy = {
    get configured() {
      return current.feeds.map((feed) => feed.url);
    },
    privateHostsAllowed: env.FEED_PRIVATE_HOSTS,
  };
  // A feed host that keeps failing is left alone for a while (seed 000's circuit breaker, ADR 0017).
  const fetcher = new CircuitBreakingFeedFetcher(
    new HttpFeedFetcher({ policy }),
    { failureThreshold: env.FEED_BREAKER_FAILURE_THRESHOLD, recoveryTimeoutSeconds: env.FEED_BREAKER_RECOVERY_SECONDS },
    (host, state) => context.logger.warn("feed circuit breaker changed state", { host, state }),
  );
  const watcher = new FeedWatcher(fetcher, new DynamoDbSeenItems(context.db, env.FEED_ITEMS_TABLE), handOff, {
    // Read at each request, so a new limit in the document applies from the next one.
    get requestsPerMinute() {
      return current.requestsPerMinute;
    },
  });

  const fetchFeed: TaskHandler = async (payload) => {
    const { url } = payloadOf(FeedFetchPayload, payload);
    // The feeds the document lists now (the reader answers from its cache within its bound).
    current = (await sources.current()).value;
    try {
      // Only the listed feeds: a task names which one to poll now, never a new address to fetch.
      requireConfigured(url, policy);
      return { ...(await watcher.poll(url, new Date())) };
    } catch (error) {
      // A refusal is the same on every attempt: fail the task at once rather than retry it.
      if (error instanceof FeedUrlRefusedError) throw new NonRetryableTaskError(error.message, "FeedUrlRefused");
      throw error;
    }
  };

  /** Shares the host's reliability and latency at most once per sync interval. */
  const share = async (host: string) => {
    const summary = stats.summary(host);
    const last = published.get(host) ?? 0;
    if (!summary || Date.now() - last < shared.SYNC_INTERVAL_SECONDS * 1_000) return;
    published.set(host, Date.now());
    await memory.publish({
      topic: INSIGHT_TOPICS.sourceReliability,
      key: host,
      value: { ...summary.value },
      confidence: summary.confidence,
      evidence: [`last ${summary.value.requests} requests from ${holder}`],
      ttlSeconds: Math.max(60, shared.SYNC_INTERVAL_SECONDS * 4),
    });
  };

  const controller = new AbortController();
  let loop: Promise<void> | undefined;
  const pollOne = async (url: string) => {
    const host = new URL(url).host;
    const signal = await leases.poller(host);
    if (!signal) return; // another scraper polls this host for the fleet
    const started = performance.now();
    try {
      const report = await untilAborted(watcher.poll(url, new Date()), signal);
      stats.record(host, report.request, performance.now() - started);
      if (report.handedOff > 0 || report.request === "rate-limited") context.logger.info("feed polled", { ...report });
    } catch (error) {
      stats.record(host, "failed", performance.now() - started);
      throw error;
    }
    await share(host);
  };
  let watchedVersion: string | undefined;
  const watch = async () => {
    while (!controller.signal.aborted) {
      try {
        const read = await sources.current();
        current = read.value;
        if (read.version !== watchedVersion) {
          watchedVersion = read.version;
          context.logger.info("watching feeds", {
            feeds: current.feeds.map((f) => f.url),
            everySeconds: current.pollSeconds,
            settingsVersion: read.version,
          });
        }
      } catch (error) {
        context.logger.error("could not read the feed sources; trying again next round", { error });
      }
      for (const { url } of current.feeds) {
        try {
          await pollOne(url);
        } catch (error) {
          context.logger.warn("feed poll failed; trying again next round", { url, error });
        }
      }
      await sleep(current.pollSeconds * 1_000, controller.signal).catch(() => undefined);
    }
    await leases.releaseAll();
  };

  return {
    handlers: { "feed.fetch": fetchFeed },
    background: {
      start: () => {
        loop = watch();
      },
      stop: async () => {
        controller.abort();
        await loop;
      },
    },
  };
}
