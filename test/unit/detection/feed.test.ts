import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { contentFingerprint, Feed, FeedItem, itemFingerprint, normalizeUrl, plainText } from "#detection/domain/feed";

const fixture = () =>
  JSON.parse(readFileSync(new URL("../../../fixtures/feeds/tge-news.json", import.meta.url), "utf8")) as unknown;

describe("Feed", () => {
  it("parses the fixture feed: unique ids, in order of publication", () => {
    const feed = Feed.parse(fixture());
    expect(feed.items.length).toBeGreaterThanOrEqual(55);
    expect(new Set(feed.items.map((item) => item.id)).size).toBe(feed.items.length);
    const times = feed.items.map((item) => Date.parse(item.date_published));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it("keeps keys it does not know, and needs no _source or authors", () => {
    const item = FeedItem.parse({
      id: "x-1",
      url: "https://news.example/x",
      title: "t",
      content_text: "c",
      date_published: "2026-03-09T08:00:00+01:00",
      _outlet_rank: 3,
    });
    expect(item).toMatchObject({ _outlet_rank: 3 });
    expect(item._source).toBeUndefined();
  });

  it("refuses an item without an id or a parseable publication time", () => {
    const base = {
      id: "x-1",
      url: "https://news.example/x",
      title: "t",
      content_text: "c",
      date_published: "2026-03-09T08:00:00Z",
    };
    expect(FeedItem.safeParse({ ...base, id: "" }).success).toBe(false);
    expect(FeedItem.safeParse({ ...base, date_published: "yesterday" }).success).toBe(false);
  });
});

describe("itemFingerprint", () => {
  const url = "https://blockfeather.example/news/2026/03/quillon-sets-tge";

  it("is the same for two fetches of the same item", () => {
    expect(itemFingerprint({ url })).toBe(itemFingerprint({ url }));
    expect(itemFingerprint({ url })).toMatch(/^[0-9a-f]{16}$/);
  });

  it("ignores tracking parameters, host case, the fragment and a trailing slash", () => {
    const variants = [
      `${url}?utm_source=feed&utm_medium=rss`,
      `${url}/`,
      `${url}#comments`,
      "https://BlockFeather.example/news/2026/03/quillon-sets-tge/?utm_campaign=x&fbclid=abc#top",
    ];
    for (const variant of variants) expect(itemFingerprint({ url: variant })).toBe(itemFingerprint({ url }));
  });

  it("keeps parameters that pick the page, in any order", () => {
    expect(itemFingerprint({ url: `${url}?page=2` })).not.toBe(itemFingerprint({ url }));
    expect(itemFingerprint({ url: `${url}?page=2&lang=en` })).toBe(itemFingerprint({ url: `${url}?lang=en&page=2&utm_term=a` }));
  });

  it("tells different items apart", () => {
    expect(itemFingerprint({ url: `${url}-update` })).not.toBe(itemFingerprint({ url }));
  });

  it("still fingerprints a URL it cannot parse, by its trimmed text", () => {
    expect(normalizeUrl("  not a url ")).toBe("not a url");
    expect(itemFingerprint({ url: "not a url" })).toBe(itemFingerprint({ url: " not a url" }));
  });
});

describe("contentFingerprint", () => {
  it("ignores case, punctuation and spacing", () => {
    expect(contentFingerprint("Quillon Sets TGE for March 18!")).toBe(contentFingerprint("  quillon sets tge — for march 18 "));
  });

  it("differs for different headlines", () => {
    expect(contentFingerprint("Quillon sets TGE for March 18")).not.toBe(contentFingerprint("Quillon sets TGE for March 19"));
  });
});

describe("plainText", () => {
  it("drops tags and scripts, decodes entities, collapses whitespace", () => {
    expect(plainText("<p>Nimbrel&nbsp;has <strong>announced</strong> &#36;NMBL &amp; more&hellip;</p>\n\n  <br/>")).toBe(
      "Nimbrel has announced $NMBL & more…",
    );
    expect(plainText("a<script>alert(1)</script>b &bogus; &#x24;X")).toBe("a b &bogus; $X");
  });
});
