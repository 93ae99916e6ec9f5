import { lookup } from "node:dns/promises";
import { Feed } from "../domain/feed";
import type { FeedFetcher, FetchResult } from "../domain/feed-watcher";
import { type FeedUrlPolicy, FeedUrlRefusedError, requirePublicAddresses } from "../domain/feed-url-policy";

/** Without a Retry-After, a source that answers 429 is left alone this long. */
const DEFAULT_RETRY_AFTER_MS = 60_000;

/** A source that answered in a way we cannot use: its status, or a body that is not a JSON Feed. Never its body. */
export class FeedSourceError extends Error {
  constructor(
    readonly url: string,
    message: string,
  ) {
    super(`${url}: ${message}`);
    this.name = "FeedSourceError";
  }
}

export interface HttpFeedFetcherOptions {
  /** Which URLs and addresses may be fetched. */
  readonly policy: FeedUrlPolicy;
  /** Deadline of each request. @default 5000 */
  readonly timeoutMs?: number;
  /** Largest body read, in bytes. @default 1 MiB */
  readonly maxBytes?: number;
  /** Items kept of a feed, the first ones. @default 200 */
  readonly maxItems?: number;
  /** Redirects followed, each on the same host. @default 3 */
  readonly maxRedirects?: number;
  /** The host's addresses. @default every address `dns.lookup` answers */
  readonly resolve?: (host: string) => Promise<string[]>;
}

const resolveAll = async (host: string) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * JSON Feeds over HTTP, with a deadline on every request and ETag revalidation, fetched only
 * where the policy allows: every hop's host resolved and refused if internal (unless allowed by
 * name), redirects followed only on the same host, the body read up to `maxBytes`, and at most
 * `maxItems` items kept. Errors say what went wrong, never what the host answered.
 */
export class HttpFeedFetcher implements FeedFetcher {
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly maxItems: number;
  private readonly maxRedirects: number;
  private readonly resolve: (host: string) => Promise<string[]>;

  constructor(private readonly options: HttpFeedFetcherOptions) {
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.maxBytes = options.maxBytes ?? 1_048_576;
    this.maxItems = options.maxItems ?? 200;
    this.maxRedirects = options.maxRedirects ?? 3;
    this.resolve = options.resolve ?? resolveAll;
  }

  async fetch(url: string, etag: string | undefined): Promise<FetchResult> {
    const first = new URL(url);
    let target = first;
    for (let hop = 0; ; hop++) {
      await this.requireAllowed(target);
      const response = await fetch(target, {
        headers: { accept: "application/feed+json, application/json", ...(etag ? { "if-none-match": etag } : {}) },
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: "manual",
      });
      if (response.status >= 300 && response.status < 400 && response.status !== 304) {
        await response.body?.cancel();
        const location = response.headers.get("location");
        if (!location) throw new FeedSourceError(url, `answered ${response.status} without a Location`);
        const next = new URL(location, target);
        if (next.host !== first.host) throw new FeedUrlRefusedError(url, `it redirects to another host (${next.host})`);
        if (hop >= this.maxRedirects) throw new FeedSourceError(url, `redirected more than ${this.maxRedirects} times`);
        target = next;
        continue;
      }
      return this.read(url, response);
    }
  }

  private async requireAllowed(target: URL): Promise<void> {
    if (target.protocol !== "http:" && target.protocol !== "https:") {
      throw new FeedUrlRefusedError(target.href, "only http and https are fetched");
    }
    const host = target.hostname.replace(/^\[|\]$/g, "");
    requirePublicAddresses(target, await this.resolve(host), this.options.policy);
  }

  private async read(url: string, response: Response): Promise<FetchResult> {
    if (response.status === 304) return { status: "not-modified" };
    if (response.status === 429) {
      await response.body?.cancel();
      const seconds = Number(response.headers.get("retry-after"));
      return {
        status: "rate-limited",
        retryAfterMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1_000 : DEFAULT_RETRY_AFTER_MS,
      };
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new FeedSourceError(url, `answered ${response.status}`);
    }
    const text = await this.boundedText(url, response);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new FeedSourceError(url, "is not JSON");
    }
    if (typeof body === "object" && body !== null && Array.isArray((body as { items?: unknown }).items)) {
      body = { ...body, items: (body as { items: unknown[] }).items.slice(0, this.maxItems) };
    }
    const parsed = Feed.safeParse(body);
    if (!parsed.success) {
      // The field, never the value: a host's answer is not echoed to whoever asked for the fetch.
      throw new FeedSourceError(url, `is not a JSON Feed (at ${parsed.error.issues[0]?.path.join(".") || "the top level"})`);
    }
    const newEtag = response.headers.get("etag");
    return { status: "ok", feed: parsed.data, ...(newEtag ? { etag: newEtag } : {}) };
  }

  private async boundedText(url: string, response: Response): Promise<string> {
    const declared = Number(response.headers.get("content-length"));
    if (Number.isFinite(declared) && declared > this.maxBytes) {
      await response.body?.cancel();
      throw new FeedSourceError(url, `is ${declared} bytes; at most ${this.maxBytes} are read`);
    }
    const reader = response.body?.getReader();
    if (!reader) return "";
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > this.maxBytes) {
        await reader.cancel();
        throw new FeedSourceError(url, `is over ${this.maxBytes} bytes; at most that many are read`);
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks).toString("utf8");
  }
}
