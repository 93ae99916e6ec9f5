import { Feed } from "../domain/feed";
import type { FeedFetcher, FetchResult } from "../domain/feed-watcher";

/** Without a Retry-After, a source that answers 429 is left alone this long. */
const DEFAULT_RETRY_AFTER_MS = 60_000;

/** A source that answered in a way we cannot use: its status, or a body that is not a JSON Feed. */
export class FeedSourceError extends Error {
  constructor(
    readonly url: string,
    message: string,
  ) {
    super(`${url}: ${message}`);
    this.name = "FeedSourceError";
  }
}

/** JSON Feeds over HTTP, with a deadline on every request and ETag revalidation. */
export class HttpFeedFetcher implements FeedFetcher {
  constructor(private readonly timeoutMs = 5_000) {}

  async fetch(url: string, etag: string | undefined): Promise<FetchResult> {
    const response = await fetch(url, {
      headers: { accept: "application/feed+json, application/json", ...(etag ? { "if-none-match": etag } : {}) },
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (response.status === 304) return { status: "not-modified" };
    if (response.status === 429) {
      const seconds = Number(response.headers.get("retry-after"));
      return {
        status: "rate-limited",
        retryAfterMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1_000 : DEFAULT_RETRY_AFTER_MS,
      };
    }
    if (!response.ok) throw new FeedSourceError(url, `answered ${response.status}`);
    const parsed = Feed.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw new FeedSourceError(url, `is not a JSON Feed: ${parsed.error.issues[0]?.message ?? "unreadable"}`);
    const newEtag = response.headers.get("etag");
    return { status: "ok", feed: parsed.data, ...(newEtag ? { etag: newEtag } : {}) };
  }
}
