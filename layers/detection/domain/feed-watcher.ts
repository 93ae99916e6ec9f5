import { type BucketState, take } from "#shared/token-bucket";
import { contentFingerprint, type Feed, type FeedItem, itemFingerprint } from "./feed";
import type { SeenItems } from "./ports";

/** What one fetch of a feed gave. */
export type FetchResult =
  | { readonly status: "ok"; readonly feed: Feed; readonly etag?: string }
  | { readonly status: "not-modified" }
  | { readonly status: "rate-limited"; readonly retryAfterMs: number };

/** Fetches a feed over HTTP, conditionally when an ETag is known. */
export interface FeedFetcher {
  fetch(url: string, etag: string | undefined): Promise<FetchResult>;
}

/**
 * Passes an item on for scoring, idempotently by `fingerprint`: true when this call passed it on,
 * false when it had been passed on before (by this or another scraper).
 */
export type ItemHandOff = (item: FeedItem, fingerprint: string, feedUrl: string) => Promise<boolean>;

export interface PollReport {
  readonly feedUrl: string;
  /** What happened to the request: made, answered 304, refused by the source, or held back by our own limit. */
  readonly request: "fetched" | "not-modified" | "rate-limited" | "throttled";
  readonly items: number;
  readonly handedOff: number;
  /** Items seen before, by this or another scraper, including re-posts of a seen headline. */
  readonly duplicates: number;
  /** When the next request to this feed's host may go out. */
  readonly nextAllowedAt?: number;
}

export interface FeedWatcherOptions {
  /** Requests per minute to one host at most. */
  readonly requestsPerMinute: number;
  /** Fingerprints remembered in memory, so items seen before cost no table write. */
  readonly memory?: number;
}

/**
 * The scraping-efficiency agent's work on feeds: fetch within a per-host rate limit (a token
 * bucket, and a pause when the source answers 429 with Retry-After), fetch conditionally with
 * the last ETag (a 304 costs the source nothing), and hand each new item on exactly once, even
 * with several scrapers: the hand-off is idempotent by the item's URL fingerprint, and a
 * headline already carried by another URL (a re-post) is claimed in a shared table and
 * dropped. An item is remembered only once handed on, so one whose hand-off failed is tried
 * again on the next poll — nothing is lost between the claim and the hand-off.
 */
export class FeedWatcher {
  private readonly buckets = new Map<string, BucketState>();
  private readonly pausedUntil = new Map<string, number>();
  private readonly etags = new Map<string, string>();
  private readonly remembered = new Set<string>();

  constructor(
    private readonly fetcher: FeedFetcher,
    private readonly seen: SeenItems,
    private readonly handOff: ItemHandOff,
    private readonly options: FeedWatcherOptions,
  ) {}

  async poll(feedUrl: string, now: Date): Promise<PollReport> {
    const host = new URL(feedUrl).host;
    const nowMs = now.getTime();
    const paused = this.pausedUntil.get(host) ?? 0;
    const empty = { feedUrl, items: 0, handedOff: 0, duplicates: 0 };
    if (paused > nowMs) return { ...empty, request: "throttled", nextAllowedAt: paused };
    const perMinute = this.options.requestsPerMinute;
    const taken = take(
      this.buckets.get(host),
      { capacity: Math.max(1, Math.ceil(perMinute / 6)), refillPerSecond: perMinute / 60 },
      nowMs,
    );
    this.buckets.set(host, taken.state);
    if (!taken.ok) return { ...empty, request: "throttled", nextAllowedAt: nowMs + taken.retryAfterMs };

    const result = await this.fetcher.fetch(feedUrl, this.etags.get(feedUrl));
    if (result.status === "rate-limited") {
      this.pausedUntil.set(host, nowMs + result.retryAfterMs);
      return { ...empty, request: "rate-limited", nextAllowedAt: nowMs + result.retryAfterMs };
    }
    if (result.status === "not-modified") return { ...empty, request: "not-modified" };

    let handedOff = 0;
    let duplicates = 0;
    // Oldest first, so items are handed on in the order they appeared.
    const items = [...result.feed.items].sort((a, b) => Date.parse(a.date_published) - Date.parse(b.date_published));
    for (const item of items) {
      const fingerprint = itemFingerprint(item);
      const headline = `title:${contentFingerprint(item.title)}`;
      if (this.remembered.has(fingerprint)) {
        duplicates++;
        continue;
      }
      const meta = { url: item.url, title: item.title, feedUrl };
      const passedOn =
        (await this.seen.claim(headline, fingerprint, meta, now)) && (await this.handOff(item, fingerprint, feedUrl));
      if (passedOn) handedOff++;
      else duplicates++;
      this.remember(fingerprint);
    }
    // Only now: had a hand-off failed, a conditional fetch would answer 304 and the item never come back.
    if (result.etag) this.etags.set(feedUrl, result.etag);
    return { feedUrl, request: "fetched", items: items.length, handedOff, duplicates };
  }

  private remember(fingerprint: string): void {
    this.remembered.add(fingerprint);
    const limit = this.options.memory ?? 10_000;
    if (this.remembered.size > limit) {
      const oldest = this.remembered.values().next().value;
      if (oldest !== undefined) this.remembered.delete(oldest);
    }
  }
}
