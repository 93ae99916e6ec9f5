import { readFileSync } from "node:fs";
import type { ValidatedDetection } from "#detection/domain/detection";
import { Feed, type FeedItem } from "#detection/domain/feed";
import type { FeedFetcher, FetchResult, ItemHandOff } from "#detection/domain/feed-watcher";
import type { DetectionStore, RecordedDetection, SeenItems } from "#detection/domain/ports";
import type { TgeDetection } from "#kernel/bus/tge-detected";

/** The fixture feed (fixtures/feeds/tge-news.json), parsed. */
export function fixtureFeed(): Feed {
  return Feed.parse(JSON.parse(readFileSync(new URL("../../fixtures/feeds/tge-news.json", import.meta.url), "utf8")));
}

/** One item of the fixture feed, by id. */
export function fixtureItem(id: string): FeedItem {
  const item = fixtureFeed().items.find((i) => i.id === id);
  if (!item) throw new Error(`no item ${id} in the fixture feed`);
  return item;
}

/** The SeenItems contract in memory: the first owner of a key keeps it; the same owner may claim again. */
export class InMemorySeenItems implements SeenItems {
  readonly owners = new Map<string, string>();
  claims = 0;

  async claim(key: string, owner: string): Promise<boolean> {
    this.claims++;
    const current = this.owners.get(key);
    if (current === undefined) {
      this.owners.set(key, owner);
      return true;
    }
    return current === owner;
  }
}

/**
 * A feed source as a well-behaved HTTP server: each `publish` makes a new version with a new
 * ETag, a request carrying the current ETag is answered 304, and `rateLimitNext` answers the
 * next request 429. Every request is kept in `requests`. With `etags: false` it sends no ETag.
 */
export class FakeFeedServer implements FeedFetcher {
  readonly requests: { url: string; etag: string | undefined }[] = [];
  private readonly feeds = new Map<string, { feed: Feed; etag: string }>();
  private readonly refusals = new Map<string, number>();
  private version = 0;

  constructor(private readonly options: { etags: boolean } = { etags: true }) {}

  publish(url: string, items: readonly FeedItem[]): this {
    this.version++;
    const feed: Feed = { version: "https://jsonfeed.org/version/1.1", title: "news", items: structuredClone([...items]) };
    this.feeds.set(url, { feed, etag: `"v${this.version}"` });
    return this;
  }

  rateLimitNext(url: string, retryAfterMs: number): this {
    this.refusals.set(url, retryAfterMs);
    return this;
  }

  requestsTo(url: string) {
    return this.requests.filter((r) => r.url === url);
  }

  async fetch(url: string, etag: string | undefined): Promise<FetchResult> {
    this.requests.push({ url, etag });
    const refusal = this.refusals.get(url);
    if (refusal !== undefined) {
      this.refusals.delete(url);
      return { status: "rate-limited", retryAfterMs: refusal };
    }
    const current = this.feeds.get(url);
    if (!current) throw new Error(`${url}: answered 404`);
    if (this.options.etags && etag === current.etag) return { status: "not-modified" };
    return { status: "ok", feed: structuredClone(current.feed), ...(this.options.etags ? { etag: current.etag } : {}) };
  }
}

/**
 * The scorer's inbox: idempotent by fingerprint, like a task submitted with an idempotency key.
 * `failNext(n)` makes the next n hand-offs throw before anything is passed on.
 */
export class RecordingHandOff {
  /** Items passed on, in order, once each. */
  readonly passed: { item: FeedItem; fingerprint: string; feedUrl: string }[] = [];
  /** Every call, including repeats and failures. */
  calls = 0;
  private failures = 0;

  failNext(times = 1): this {
    this.failures = times;
    return this;
  }

  readonly handOff: ItemHandOff = async (item, fingerprint, feedUrl) => {
    this.calls++;
    if (this.failures > 0) {
      this.failures--;
      throw new Error("the task API is unavailable");
    }
    if (this.passed.some((p) => p.fingerprint === fingerprint)) return false;
    this.passed.push({ item, fingerprint, feedUrl });
    return true;
  };

  get ids(): string[] {
    return this.passed.map((p) => p.item.id);
  }
}

/**
 * The DetectionStore contract in memory: one detection per event key, created by the first
 * item; later items are appended once each; `published` stays false until `markPublished`.
 */
export class InMemoryDetectionStore implements DetectionStore {
  readonly rows = new Map<string, { detection: TgeDetection; published: boolean }>();
  writes = 0;

  async record(detection: ValidatedDetection, itemId: string, detectionId: string, detectedAt: Date): Promise<RecordedDetection> {
    this.writes++;
    const row = this.rows.get(detection.eventKey);
    if (!row) {
      const created: TgeDetection = { ...detection, detectionId, detectedAt: detectedAt.toISOString(), itemIds: [itemId] };
      this.rows.set(detection.eventKey, { detection: created, published: false });
      return { detection: structuredClone(created), created: true, published: false };
    }
    if (!row.detection.itemIds.includes(itemId))
      row.detection = { ...row.detection, itemIds: [...row.detection.itemIds, itemId] };
    return { detection: structuredClone(row.detection), created: false, published: row.published };
  }

  async markPublished(eventKey: string): Promise<void> {
    const row = this.rows.get(eventKey);
    if (row) row.published = true;
  }
}
