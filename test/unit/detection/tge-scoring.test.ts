import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { eventKey } from "#detection/domain/detection";
import { evaluateDetections, Labels, type DetectedEvent } from "#detection/domain/evaluation";
import { Feed } from "#detection/domain/feed";
import { DEFAULT_KEYWORD_CONFIG, KeywordConfig } from "#detection/domain/keyword-config";
import { projectSlug, scoreItem } from "#detection/domain/tge-scoring";

const score = (title: string, content_text = "") => scoreItem({ title, content_text }, DEFAULT_KEYWORD_CONFIG);
const readJson = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), "utf8")) as unknown;

describe("scoreItem: announcements", () => {
  it("detects a watched project's TGE and explains the score", () => {
    const result = score(
      "Quillon Network sets token generation event for March 18",
      "The QLN token will be claimable by testnet users, and 12% of supply goes to the airdrop.",
    );
    expect(result).toMatchObject({ isTge: true, project: { slug: "quillon", name: "Quillon Network", symbol: "QLN" } });
    expect(result.score).toBeGreaterThanOrEqual(DEFAULT_KEYWORD_CONFIG.threshold);
    expect(result.signals).toContain("+0.50 phrase 'token generation event'");
    expect(result.signals).toContain("+0.10 watchlist ticker 'QLN'");
  });

  it.each([
    ["Name (TICKER)", "Kindlewood ($KNDL) token generation event slated for June 3", "", "kindlewood", "Kindlewood", "KNDL"],
    ["a $TICKER and a descriptor", "Lending app Pinebarrow to debut $PBF token next week", "", "pinebarrow", "Pinebarrow", "PBF"],
    [
      "a possessive ticker",
      "It's live: Copperleaf's CPL token is now tradable",
      "Copperleaf held its token generation event on Monday.",
      "copperleaf",
      "Copperleaf",
      "CPL",
    ],
    [
      "an appositive in the body under a Title Case headline",
      "Lanternfish Unveils LNF: Airdrop Claims Open, Trading Starts at 14:00 UTC",
      "Lanternfish, a perpetuals DEX, launched its LNF governance token.",
      "lanternfish",
      "Lanternfish",
      "LNF",
    ],
    [
      "the subject of a launch verb, without a ticker",
      "Tidewell announces token generation event for its bridging network",
      "Bridgers who used the protocol before March qualify for the airdrop.",
      "tidewell",
      "Tidewell",
      undefined,
    ],
  ])("extracts an unlisted project from %s", (_how, title, body, slug, name, symbol) => {
    const result = score(title, body);
    expect(result.isTge).toBe(true);
    expect(result.project).toEqual({ slug, name, ...(symbol ? { symbol } : {}) });
  });

  it("reads through HTML in the body", () => {
    const result = score(
      "Nimbrel Announces TGE Date",
      "<p>Nimbrel&nbsp;has <strong>announced</strong> its token generation event.</p> <p>The &#36;NMBL token&hellip;</p>",
    );
    expect(result).toMatchObject({ isTge: true, project: { slug: "nimbrel", symbol: "NMBL" } });
  });

  it("is deterministic", () => {
    const item = { title: "Brindle Protocol (BRDL) TGE set for March 24", content_text: "Claims open at TGE." };
    expect(scoreItem(item, DEFAULT_KEYWORD_CONFIG)).toEqual(scoreItem(item, DEFAULT_KEYWORD_CONFIG));
  });
});

describe("scoreItem: look-alikes", () => {
  it.each([
    ["price talk", "Why Pellucid's PLU token is up 35% this week", "", /price talk 'up 35%'/],
    [
      "price talk after a TGE",
      "Market wrap: Driftmoor's DRFT doubles on debut",
      "DRFT opened at $0.31 after Tuesday's token generation event.",
      /past event 'on debut'/,
    ],
    ["a rumor", "Speculation mounts that Ashgrove may launch a token", "", /rumor 'speculation'/],
    ["a denial", "Tessarine denies TGE rumors, says no token planned", "", /rumor 'denies'/],
    ["AI tokens", "Open-weights model hits 900 tokens per second", "", /ai tokens 'tokens per second'/],
    ["a token unlock", "Ferrowind faces $40M token unlock next week", "", /unlock 'unlock'/],
    ["an NFT mint", "Free mint: Moonferry pass holders can claim NFTs on Friday", "", /nft 'nfts'/],
    ["a share offering", "Crypto miner Dunmore Digital plans secondary share offering", "", /ipo 'share offering'/],
    ["TGE meaning something else", "The Great Expedition (TGE) season 4 launches with new loot tokens", "", /other meaning/],
    ["thermogravimetry", "What a thermogravimetric experiment (TGE) tells you", "", /other meaning 'thermogravimetric'/],
    ["generic crypto news", "Bridge exploit drains $31M from cross-chain protocol Parrowmere", "", /^no TGE phrase$/],
    ["a retrospective", "Stakehouse's STH token a year later: did the TGE hype pay off?", "", /past event 'a year later'/],
  ])("rejects %s, saying why", (_kind, title, body, why) => {
    const result = score(title, body);
    expect(result.isTge).toBe(false);
    expect(result.signals.some((signal) => why.test(signal))).toBe(true);
  });

  it("counts a watched name only in crypto context", () => {
    const bakery = score("Velkora Foods sets launch date for plant-based snack line", "The snacks launch in 400 stores.");
    expect(bakery.isTge).toBe(false);
    expect(bakery.project).toBeUndefined();
    expect(bakery.signals).toContain("name 'Velkora' without crypto context");

    const lending = score("Velkora sets launch date for its token", "The DeFi lending market will airdrop to early lenders.");
    expect(lending.project).toEqual({ slug: "velkora", name: "Velkora", symbol: "VLK" });
    expect(lending.signals).toContain("+0.10 watchlist 'Velkora' near 'defi'");
  });

  it("takes a watched project's ticker as evidence on its own", () => {
    expect(score("$MRV goes live with claims open").project).toMatchObject({ slug: "mirevale" });
  });

  it("wants crypto context for unlisted names too", () => {
    const result = score(
      "Marrowgate Hospital to launch patient rewards token program",
      "Patients earn reward tokens at checkups.",
    );
    expect(result.isTge).toBe(false);
    expect(result.signals).toContain("-0.40 no crypto context");
  });

  it("does not alert a TGE of nobody", () => {
    const result = score("Fewer projects held token generation events in February", "Venture funding rebounded.");
    expect(result.isTge).toBe(false);
    expect(result.project).toBeUndefined();
    expect(result.signals).toContain("-0.30 no project identified");
  });
});

describe("projectSlug", () => {
  it("drops generic suffixes, possessives and accents, and is idempotent", () => {
    expect(projectSlug("Brindle Protocol")).toBe("brindle");
    expect(projectSlug("Zephyrine Labs'")).toBe("zephyrine");
    expect(projectSlug("Saffra's")).toBe("saffra");
    expect(projectSlug("Wyncrest DAO")).toBe("wyncrest");
    expect(projectSlug("Trans-Global Express")).toBe("trans-global-express");
    expect(projectSlug("Élan Network")).toBe("elan");
    expect(projectSlug("Protocol")).toBe("protocol");
    expect(projectSlug(projectSlug("Halberd Robotics"))).toBe("halberd-robotics");
  });
});

describe("KeywordConfig", () => {
  it("is plain data: the default survives a JSON round trip", () => {
    expect(KeywordConfig.parse(JSON.parse(JSON.stringify(DEFAULT_KEYWORD_CONFIG)))).toEqual(DEFAULT_KEYWORD_CONFIG);
  });

  it("refuses a pattern that does not compile and a threshold outside 0..1", () => {
    const broken = { ...DEFAULT_KEYWORD_CONFIG, positive: [{ label: "x", pattern: "(unclosed", weight: 0.5 }] };
    expect(KeywordConfig.safeParse(broken).error?.issues[0]?.path).toEqual(["positive", 0, "pattern"]);
    expect(KeywordConfig.safeParse({ ...DEFAULT_KEYWORD_CONFIG, threshold: 1.5 }).success).toBe(false);
  });

  it("is what the scorer reads: a higher threshold turns a detection off", () => {
    const strict = KeywordConfig.parse({ ...DEFAULT_KEYWORD_CONFIG, threshold: 1 });
    const item = { title: "Tidewell announces token generation event", content_text: "Bridgers qualify for the airdrop." };
    expect(scoreItem(item, DEFAULT_KEYWORD_CONFIG).isTge).toBe(true);
    expect(scoreItem(item, strict).isTge).toBe(false);
  });
});

/** Scores every item of a feed and measures the detections against its labels. */
function benchmark(feedFile: string) {
  const feed = Feed.parse(readJson(`../../../fixtures/feeds/${feedFile}.json`));
  const labels = Labels.parse(readJson(`../../../fixtures/feeds/${feedFile}.labels.json`));
  expect(Object.keys(labels).sort()).toEqual(feed.items.map((item) => item.id).sort());
  const detections: Record<string, DetectedEvent> = {};
  for (const item of feed.items) {
    const result = scoreItem(item, DEFAULT_KEYWORD_CONFIG);
    if (result.isTge && result.project) detections[item.id] = { eventKey: eventKey(result.project), slug: result.project.slug };
  }
  const { events, items } = evaluateDetections(labels, detections);
  console.log(
    `${feedFile} (${feed.items.length} items, config ${DEFAULT_KEYWORD_CONFIG.version}): ` +
      `events precision ${events.precision} recall ${events.recall} (${events.correct}/${events.detected} keys, ${events.labeled} labelled events); ` +
      `items precision ${items.precision} recall ${items.recall} (tp ${items.truePositives}, fp ${items.falsePositives}, fn ${items.falseNegatives}); ` +
      `false positives [${items.falsePositiveIds.join(", ")}], missed [${items.missedIds.join(", ")}], ` +
      `fragmented ${JSON.stringify(events.fragmented)}`,
  );
  return { events, items };
}

describe("benchmark: the fixture feed (the rules were written alongside it)", () => {
  it("finds TGE events with precision and recall of at least 0.9", () => {
    const { events } = benchmark("tge-news");
    expect(events.precision).toBeGreaterThanOrEqual(0.9);
    expect(events.recall).toBeGreaterThanOrEqual(0.9);
  });
});

/**
 * 65 items written for this check after the rules were tuned, in two batches (the second aimed at
 * harder cases: a project named only in the body, a TGE in a market-wrap headline, launches that
 * never say "TGE", a postponed TGE, a recap, testnet tokens, calendars). Measured once, with
 * config 2026-03-12.1: events precision 0.88, recall 0.917; items precision 0.862, recall 0.926.
 * The floors sit just below that, to catch a regression; the rules must not be tuned to this set.
 */
describe("benchmark: the held-out feed (never used to tune the rules)", () => {
  it("finds TGE events with precision of at least 0.85 and recall of at least 0.9", () => {
    const { events, items } = benchmark("tge-heldout");
    expect(events.labeled).toBe(24);
    expect(events.precision).toBeGreaterThanOrEqual(0.85);
    expect(events.recall).toBeGreaterThanOrEqual(0.9);
    expect(items.precision).toBeGreaterThanOrEqual(0.85);
    expect(items.recall).toBeGreaterThanOrEqual(0.9);
  });
});
