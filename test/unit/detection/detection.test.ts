import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { eventKey, sanitizeText, validateCandidate, type TgeCandidate } from "#detection/domain/detection";
import { Feed } from "#detection/domain/feed";
import { DEFAULT_KEYWORD_CONFIG } from "#detection/domain/keyword-config";
import { scoreItem } from "#detection/domain/tge-scoring";
import { TgeDetection } from "#kernel/bus/tge-detected";

const now = new Date("2026-03-12T21:00:00.000Z");
const threshold = 0.5;

const aCandidate = (overrides: Partial<TgeCandidate> = {}): TgeCandidate => ({
  itemId: "om-202603101000",
  url: "https://ondrelmarkets.example/story/brindle-tge?utm_source=rss",
  title: "Brindle Protocol (BRDL) token generation event set for March 24",
  content_text: "<p>Brindle Protocol, an intent-based DEX aggregator, will hold its TGE on March 24.</p>",
  source: "Ondrel Markets",
  publishedAt: "2026-03-10T10:00:00Z",
  score: 0.95,
  project: { slug: "brindle", name: "Brindle Protocol", symbol: "BRDL" },
  signals: ["+0.50 phrase 'token generation event'"],
  ...overrides,
});

const problemsOf = (candidate: unknown) => {
  const verdict = validateCandidate(candidate, now, threshold);
  return verdict.ok ? [] : verdict.problems;
};

describe("sanitizeText", () => {
  it("strips tags, decodes entities and collapses whitespace", () => {
    expect(sanitizeText("  <p>Nimbrel&nbsp;has <em>announced</em>\n\n\t its TGE &amp; airdrop&hellip;</p>  <br/>", 100)).toBe(
      "Nimbrel has announced its TGE & airdrop…",
    );
  });

  it("caps the length with an ellipsis, counting characters not code units", () => {
    expect(sanitizeText("Brindle sets TGE for March 24", 12)).toBe("Brindle set…");
    expect(sanitizeText("Brindle sets TGE", 16)).toBe("Brindle sets TGE");
    expect(sanitizeText("🚀🚀🚀🚀", 3)).toBe("🚀🚀…");
    expect([...sanitizeText("x".repeat(600), 500)]).toHaveLength(500);
  });
});

describe("validateCandidate", () => {
  it("turns a good candidate into a detection: sanitized, keyed, URL without tracking", () => {
    const verdict = validateCandidate(aCandidate(), now, threshold);
    expect(verdict).toEqual({
      ok: true,
      detection: {
        eventKey: "brindle",
        project: { slug: "brindle", name: "Brindle Protocol", symbol: "BRDL" },
        headline: "Brindle Protocol (BRDL) token generation event set for March 24",
        summary: "Brindle Protocol, an intent-based DEX aggregator, will hold its TGE on March 24.",
        url: "https://ondrelmarkets.example/story/brindle-tge",
        source: "Ondrel Markets",
        publishedAt: "2026-03-10T10:00:00.000Z",
        score: 0.95,
        signals: ["+0.50 phrase 'token generation event'"],
      },
    });
    if (!verdict.ok) return;
    const stored = { ...verdict.detection, detectionId: "d-1", detectedAt: now.toISOString(), itemIds: ["om-202603101000"] };
    expect(TgeDetection.parse(stored)).toEqual(stored);
  });

  it("names the field of each problem, and reports them all", () => {
    expect(problemsOf(aCandidate({ project: undefined }))).toEqual(["project: missing"]);
    expect(problemsOf(aCandidate({ project: { slug: "", name: "Unknown" } }))).toEqual(["project.name: unknown ('Unknown')"]);
    expect(problemsOf(aCandidate({ project: { slug: "", name: " <b></b> " } }))).toEqual(["project.name: unknown ('')"]);
    expect(problemsOf(aCandidate({ score: 0.42 }))).toEqual(["score: 0.42 is below the threshold 0.5"]);
    expect(problemsOf(aCandidate({ url: "javascript:alert(1)" }))).toEqual(["url: javascript is not http(s)"]);
    expect(problemsOf(aCandidate({ url: "/relative/path" }))).toEqual(["url: '/relative/path' is not a URL"]);
    expect(problemsOf(aCandidate({ publishedAt: "soon" }))).toEqual(["publishedAt: 'soon' is not a date"]);
    expect(problemsOf(aCandidate({ title: "<img src=x>" }))).toEqual(["title: empty once markup is removed"]);
    expect(problemsOf(aCandidate({ score: 0.1, url: "ftp://x.example/a" }))).toEqual([
      "score: 0.1 is below the threshold 0.5",
      "url: ftp is not http(s)",
    ]);
  });

  it("allows five minutes of clock skew, and nothing older than 30 days", () => {
    const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
    expect(problemsOf(aCandidate({ publishedAt: at(4 * 60_000) }))).toEqual([]);
    expect(problemsOf(aCandidate({ publishedAt: at(10 * 60_000) }))).toEqual(["publishedAt: 10 minutes in the future"]);
    expect(problemsOf(aCandidate({ publishedAt: at(-29 * 86_400_000) }))).toEqual([]);
    expect(problemsOf(aCandidate({ publishedAt: at(-31 * 86_400_000) }))).toEqual([
      "publishedAt: 31 days old, older than 30 days",
    ]);
  });

  it("reports a malformed candidate by field instead of throwing", () => {
    expect(problemsOf({ ...aCandidate(), score: "high" })).toEqual(["score: Invalid input: expected number, received string"]);
  });
});

describe("eventKey", () => {
  it("is the normalized project slug, with or without the ticker", () => {
    expect(eventKey({ name: "Brindle Protocol", symbol: "BRDL" })).toBe("brindle");
    expect(eventKey({ slug: "brindle", name: "Brindle", symbol: "brdl" })).toBe("brindle");
    expect(eventKey({ name: "Brindle" })).toBe(eventKey({ name: "Brindle Protocol", symbol: "BRDL" }));
    expect(eventKey({ name: "Tidewell" })).toBe("tidewell");
    expect(eventKey({ name: "Kestrelfi", symbol: "KSTF" })).not.toBe(eventKey({ name: "Kestrel Systems", symbol: "KSTF" }));
  });

  it("gives two outlets' reports of the same TGE one key", () => {
    const feed = Feed.parse(JSON.parse(readFileSync(new URL("../../../fixtures/feeds/tge-news.json", import.meta.url), "utf8")));
    const keyOf = (itemId: string) => {
      const item = feed.items.find((i) => i.id === itemId);
      const project = item && scoreItem(item, DEFAULT_KEYWORD_CONFIG).project;
      return project && eventKey(project);
    };
    // Original and duplicate, from different outlets with different wording (one on the watchlist, one not).
    expect(keyOf("hm-202603091140")).toBe(keyOf("bf-202603090805"));
    expect(keyOf("om-202603100910")).toBe(keyOf("hm-202603100730"));
    expect(keyOf("bf-202603111725")).toBe("saffra");
    expect(keyOf("hm-202603111510")).toBe("saffra");
  });
});
