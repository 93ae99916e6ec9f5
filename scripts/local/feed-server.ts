import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import * as path from "node:path";
import * as z from "zod";
import { REPO_ROOT } from "./paths";
import { listenLocally } from "./listen";

/** The sample feed of token-launch news that ships with the repo, and its labels. */
export const SAMPLE_FEED_FILE = path.join(REPO_ROOT, "fixtures", "feeds", "tge-news.json");
export const SAMPLE_LABELS_FILE = path.join(REPO_ROOT, "fixtures", "feeds", "tge-news.labels.json");
export const FEED_PATH = "/feeds/tge-news.json";

const FixtureFeed = z.looseObject({ items: z.array(z.looseObject({ id: z.string().min(1) })) });
type FixtureItem = z.infer<typeof FixtureFeed>["items"][number];

export interface FeedServerOptions {
  /** Preferred port; another is taken when it is busy. @default any free port */
  readonly port?: number;
  /** Requests per minute one client may make before it is answered 429. @default 120 */
  readonly requestsPerMinute?: number;
  /** Publish every item at start. @default false: the feed starts empty and items are published on demand */
  readonly publishAll?: boolean;
}

export interface FeedServerStats {
  readonly requests: number;
  readonly notModified: number;
  readonly rateLimited: number;
  readonly published: readonly { id: string; at: string }[];
}

export interface FeedServer {
  readonly url: string;
  readonly itemIds: readonly string[];
  /** Puts items in the feed now (in fixture order); their `date_published` is the moment they appear. */
  publish(ids: readonly string[]): void;
  /** Publishes one more item every `intervalMs`, in fixture order, until all are out. */
  drip(intervalMs: number): void;
  stats(): FeedServerStats;
  close(): Promise<void>;
}

/**
 * Stands in for the outside news sources on this machine: serves the sample feed as a JSON
 * Feed, with ETags (a poll that finds nothing new gets 304) and a per-client rate limit (429
 * with Retry-After), so the scraping agent's caching and rate limiting meet a real server.
 * Items appear when published, so tests and benchmarks can time what happens next. Control
 * routes (`POST /control/publish`, `GET /control/stats`) let other processes drive it.
 */
export async function startFeedServer(options: FeedServerOptions = {}): Promise<FeedServer> {
  const fixture = FixtureFeed.parse(JSON.parse(readFileSync(SAMPLE_FEED_FILE, "utf8")));
  const order = fixture.items.map((item) => item.id);
  const byId = new Map(fixture.items.map((item) => [item.id, item]));
  const published = new Map<string, string>();
  const limit = options.requestsPerMinute ?? 120;
  const windows = new Map<string, { start: number; count: number }>();
  let requests = 0;
  let notModified = 0;
  let rateLimited = 0;
  let dripTimer: NodeJS.Timeout | undefined;

  const publish = (ids: readonly string[]) => {
    for (const id of ids) {
      if (!byId.has(id)) throw new Error(`no item ${id} in the sample feed`);
      if (!published.has(id)) published.set(id, new Date().toISOString());
    }
  };
  if (options.publishAll) publish(order);

  const body = () => {
    const items = order
      .filter((id) => published.has(id))
      .map((id) => ({ ...(byId.get(id) as FixtureItem), date_published: published.get(id) }))
      .reverse();
    return JSON.stringify({ ...fixture, items });
  };

  const send = (res: ServerResponse, status: number, payload: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(payload);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://feed.local");
    if (req.method === "GET" && url.pathname === FEED_PATH) {
      requests++;
      const client = req.socket.remoteAddress ?? "unknown";
      const now = Date.now();
      const window = windows.get(client);
      if (!window || now - window.start >= 60_000) windows.set(client, { start: now, count: 1 });
      else if (++window.count > limit) {
        rateLimited++;
        const retryAfter = Math.ceil((window.start + 60_000 - now) / 1_000);
        return send(res, 429, JSON.stringify({ error: "rate limited" }), { "retry-after": String(retryAfter) });
      }
      const payload = body();
      const etag = `"${createHash("sha256").update(payload).digest("hex").slice(0, 16)}"`;
      if (req.headers["if-none-match"] === etag) {
        notModified++;
        res.writeHead(304, { etag });
        return res.end();
      }
      return send(res, 200, payload, { etag, "cache-control": "no-cache" });
    }
    if (req.method === "POST" && url.pathname === "/control/publish") {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const parsed = z.object({ ids: z.array(z.string()) }).safeParse(JSON.parse(Buffer.concat(chunks).toString() || "{}"));
      if (!parsed.success) return send(res, 400, JSON.stringify({ error: "body must be { ids: string[] }" }));
      try {
        publish(parsed.data.ids);
      } catch (error) {
        return send(res, 404, JSON.stringify({ error: (error as Error).message }));
      }
      return send(res, 200, JSON.stringify({ published: parsed.data.ids.map((id) => ({ id, at: published.get(id) })) }));
    }
    if (req.method === "GET" && url.pathname === "/control/stats") return send(res, 200, JSON.stringify(stats()));
    return send(res, 404, JSON.stringify({ error: "not found" }));
  };

  const stats = (): FeedServerStats => ({
    requests,
    notModified,
    rateLimited,
    published: [...published].map(([id, at]) => ({ id, at })),
  });

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, JSON.stringify({ error: String(error) })));
  });
  const port = await listenLocally(server, options.port);
  return {
    url: `http://127.0.0.1:${port}${FEED_PATH}`,
    itemIds: order,
    publish,
    drip(intervalMs) {
      clearInterval(dripTimer);
      dripTimer = setInterval(() => {
        const next = order.find((id) => !published.has(id));
        if (next) publish([next]);
        else clearInterval(dripTimer);
      }, intervalMs);
    },
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(dripTimer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
