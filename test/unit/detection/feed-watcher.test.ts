import { describe, expect, it } from "vitest";
import { type FeedItem, itemFingerprint } from "#detection/domain/feed";
import { FeedWatcher, type FeedWatcherOptions } from "#detection/domain/feed-watcher";
import { FakeFeedServer, fixtureItem, InMemorySeenItems, RecordingHandOff } from "../../support/detection";

const T0 = Date.parse("2026-03-12T21:00:00.000Z");
const at = (seconds: number) => new Date(T0 + seconds * 1_000);

const BF = "https://blockfeather.example/feed.json";
const BF_MARKETS = "https://blockfeather.example/markets.json";
const NV = "https://northvale.example/feed.json";

// Three Blockfeather stories, oldest first.
const quillon = fixtureItem("bf-202603090805");
const tessarine = fixtureItem("bf-202603091410");
const halvyn = fixtureItem("bf-202603091645");
const mirevale = fixtureItem("nv-202603090930");
/** The Quillon story re-posted by another outlet under its own URL, headline cosmetically edited. */
const quillonRepost: FeedItem = {
  ...quillon,
  id: "nv-repost-1",
  url: "https://northvale.example/business/2026/03/quillon-repost",
  title: "QUILLON NETWORK sets token generation event, for March 18!",
};

function setUp(options: Partial<FeedWatcherOptions> = {}, server = new FakeFeedServer()) {
  const seen = new InMemorySeenItems();
  const inbox = new RecordingHandOff();
  const watcher = new FeedWatcher(server, seen, inbox.handOff, { requestsPerMinute: 60, ...options });
  return { server, seen, inbox, watcher };
}

describe("FeedWatcher", () => {
  it("hands each new item on once, oldest first, with its fingerprint and feed", async () => {
    const { server, inbox, watcher } = setUp();
    server.publish(BF, [halvyn, quillon, tessarine]);

    const report = await watcher.poll(BF, at(0));

    expect(report).toEqual({ feedUrl: BF, request: "fetched", items: 3, handedOff: 3, duplicates: 0 });
    expect(inbox.ids).toEqual([quillon.id, tessarine.id, halvyn.id]);
    expect(inbox.passed[0]).toMatchObject({ fingerprint: itemFingerprint(quillon), feedUrl: BF });
  });

  it("hands nothing on when the same feed is polled again, and only the new item once one appears", async () => {
    const { server, inbox, watcher } = setUp({}, new FakeFeedServer({ etags: false }));
    server.publish(BF, [quillon, tessarine]);
    await watcher.poll(BF, at(0));

    const again = await watcher.poll(BF, at(60));
    expect(again).toMatchObject({ request: "fetched", items: 2, handedOff: 0, duplicates: 2 });
    expect(inbox.calls).toBe(2);

    server.publish(BF, [halvyn, tessarine, quillon]);
    const grown = await watcher.poll(BF, at(120));
    expect(grown).toMatchObject({ items: 3, handedOff: 1, duplicates: 2 });
    expect(inbox.ids).toEqual([quillon.id, tessarine.id, halvyn.id]);
  });

  it("sends the ETag of the last 200 with the next request, and reports a 304 as not modified", async () => {
    const { server, inbox, watcher } = setUp();
    server.publish(BF, [quillon]);
    await watcher.poll(BF, at(0));

    const unchanged = await watcher.poll(BF, at(60));

    expect(server.requests.map((r) => r.etag)).toEqual([undefined, '"v1"']);
    expect(unchanged).toEqual({ feedUrl: BF, request: "not-modified", items: 0, handedOff: 0, duplicates: 0 });

    server.publish(BF, [tessarine, quillon]);
    expect(await watcher.poll(BF, at(120))).toMatchObject({ request: "fetched", handedOff: 1, duplicates: 1 });
    expect(await watcher.poll(BF, at(180))).toMatchObject({ request: "not-modified" });
    expect(server.requests.map((r) => r.etag)).toEqual([undefined, '"v1"', '"v1"', '"v2"']);
    expect(inbox.ids).toEqual([quillon.id, tessarine.id]);
  });

  it("keeps each feed's ETag to itself", async () => {
    const { server, watcher } = setUp();
    server.publish(BF, [quillon]).publish(NV, [mirevale]);
    await watcher.poll(BF, at(0));

    await watcher.poll(NV, at(1));

    expect(server.requestsTo(NV).map((r) => r.etag)).toEqual([undefined]);
  });

  it("after a 429, holds every feed of that host until Retry-After, without asking the source", async () => {
    const { server, inbox, watcher } = setUp();
    server.publish(BF, [quillon]).publish(BF_MARKETS, [tessarine]).publish(NV, [mirevale]).rateLimitNext(BF, 30_000);

    expect(await watcher.poll(BF, at(0))).toEqual({
      feedUrl: BF,
      request: "rate-limited",
      items: 0,
      handedOff: 0,
      duplicates: 0,
      nextAllowedAt: T0 + 30_000,
    });
    expect(await watcher.poll(BF, at(10))).toMatchObject({ request: "throttled", nextAllowedAt: T0 + 30_000, items: 0 });
    expect(await watcher.poll(BF_MARKETS, at(29.999))).toMatchObject({ request: "throttled", nextAllowedAt: T0 + 30_000 });
    expect(server.requests).toHaveLength(1);

    // Another host is not held back.
    expect(await watcher.poll(NV, at(10))).toMatchObject({ request: "fetched", handedOff: 1 });

    expect(await watcher.poll(BF, at(30))).toMatchObject({ request: "fetched", handedOff: 1 });
    expect(inbox.ids).toEqual([mirevale.id, quillon.id]);
  });

  it("holds back rapid polls of one host within requestsPerMinute, and says when the next may go", async () => {
    // 6 a minute: a burst of one, then one every 10 seconds.
    const { server, watcher } = setUp({ requestsPerMinute: 6 });
    server.publish(BF, [quillon]).publish(BF_MARKETS, [tessarine]).publish(NV, [mirevale]);

    expect(await watcher.poll(BF, at(0))).toMatchObject({ request: "fetched" });
    expect(await watcher.poll(BF, at(1))).toMatchObject({ request: "throttled", nextAllowedAt: T0 + 10_000 });
    expect(await watcher.poll(BF_MARKETS, at(4))).toMatchObject({ request: "throttled", nextAllowedAt: T0 + 10_000 });
    expect(await watcher.poll(NV, at(4))).toMatchObject({ request: "fetched" });
    expect(await watcher.poll(BF_MARKETS, at(10))).toMatchObject({ request: "fetched" });

    expect(server.requests.map((r) => r.url)).toEqual([BF, NV, BF_MARKETS]);
  });

  it("lets a burst of a sixth of the per-minute rate through at once", async () => {
    const { server, watcher } = setUp({ requestsPerMinute: 60 });
    server.publish(BF, [quillon]);

    const reports = [];
    for (let i = 0; i < 11; i++) reports.push(await watcher.poll(BF, at(0)));

    expect(reports.filter((r) => r.request !== "throttled")).toHaveLength(10);
    expect(reports[10]).toMatchObject({ request: "throttled", nextAllowedAt: T0 + 1_000 });
    expect(server.requests).toHaveLength(10);
  });

  it("counts a re-post of a seen headline under another URL as a duplicate, and does not hand it on", async () => {
    const { server, inbox, watcher } = setUp();
    server.publish(BF, [quillon]).publish(NV, [quillonRepost, mirevale]);
    await watcher.poll(BF, at(0));

    const report = await watcher.poll(NV, at(1));

    expect(report).toMatchObject({ request: "fetched", items: 2, handedOff: 1, duplicates: 1 });
    expect(inbox.ids).toEqual([quillon.id, mirevale.id]);
  });

  it("never passes the same item on twice when two watchers share the seen items and the hand-off", async () => {
    const server = new FakeFeedServer({ etags: false });
    server.publish(BF, [halvyn, tessarine, quillon]).publish(NV, [quillonRepost, mirevale]);
    const seen = new InMemorySeenItems();
    const inbox = new RecordingHandOff();
    const watchers = [0, 1].map(() => new FeedWatcher(server, seen, inbox.handOff, { requestsPerMinute: 60 }));

    const reports = [];
    for (const second of [0, 30, 60]) {
      reports.push(
        ...(await Promise.all(watchers.flatMap((watcher) => [watcher.poll(BF, at(second)), watcher.poll(NV, at(second))]))),
      );
    }

    expect(inbox.ids.sort()).toEqual([halvyn.id, mirevale.id, quillon.id, tessarine.id].sort());
    expect(reports.reduce((n, r) => n + r.handedOff, 0)).toBe(4);
    // Every fetch of five items either handed one on or counted it as a duplicate.
    expect(reports.reduce((n, r) => n + r.handedOff + r.duplicates, 0)).toBe(reports.reduce((n, r) => n + r.items, 0));
  });

  it("does not pass an item on twice when its memory is small and it has forgotten it", async () => {
    const { server, inbox, watcher } = setUp({ memory: 1 }, new FakeFeedServer({ etags: false }));
    server.publish(BF, [halvyn, tessarine, quillon]);
    await watcher.poll(BF, at(0));

    const again = await watcher.poll(BF, at(60));

    expect(again).toMatchObject({ handedOff: 0, duplicates: 3 });
    expect(inbox.ids).toEqual([quillon.id, tessarine.id, halvyn.id]);
  });

  it("hands an item on at the next poll when its hand-off failed (nothing lost)", async () => {
    const { server, inbox, watcher } = setUp({}, new FakeFeedServer({ etags: false }));
    server.publish(BF, [tessarine, quillon]);
    inbox.failNext();

    await expect(watcher.poll(BF, at(0))).rejects.toThrow("unavailable");
    expect(inbox.passed).toEqual([]);

    expect(await watcher.poll(BF, at(30))).toMatchObject({ request: "fetched", handedOff: 2, duplicates: 0 });
    expect(inbox.ids).toEqual([quillon.id, tessarine.id]);
  });

  it("hands an item on at the next poll when its hand-off failed, even from a source that honours ETags", async () => {
    const { server, inbox, watcher } = setUp();
    server.publish(BF, [quillon]);
    inbox.failNext();
    await expect(watcher.poll(BF, at(0))).rejects.toThrow("unavailable");

    const retry = await watcher.poll(BF, at(30));

    expect(retry).toMatchObject({ request: "fetched", handedOff: 1 });
    expect(inbox.ids).toEqual([quillon.id]);
  });

  it("hands items on oldest first when their times carry different offsets", async () => {
    const { server, inbox, watcher } = setUp();
    const later = { ...quillon, date_published: "2026-03-09T08:00:00Z" };
    const earlier = { ...tessarine, date_published: "2026-03-09T08:30:00+01:00" };
    server.publish(BF, [later, earlier]);

    await watcher.poll(BF, at(0));

    expect(inbox.ids).toEqual([tessarine.id, quillon.id]);
  });
});
