import { describe, expect, it } from "vitest";
import { acceptCandidate, type AcceptDeps } from "#detection/domain/accept-candidate";
import { type TgeCandidate } from "#detection/domain/detection";
import type { FeedItem } from "#detection/domain/feed";
import { DEFAULT_KEYWORD_CONFIG } from "#detection/domain/keyword-config";
import { scoreItem } from "#detection/domain/tge-scoring";
import { fixtureItem, InMemoryDetectionStore } from "../../support/detection";
import { RecordingPublisher } from "../../support/events";
import { TGE_DETECTED, TgeDetection } from "#kernel/bus/tge-detected";
import { EVENT_SOURCES } from "#kernel/bus/domain-event";

const now = new Date("2026-03-12T21:00:00.000Z");

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

/** The candidate keyword-precision makes of a feed item (see the keyword-precision specialist). */
function candidateFrom(item: FeedItem): TgeCandidate {
  const verdict = scoreItem(item, DEFAULT_KEYWORD_CONFIG);
  if (!verdict.isTge || !verdict.project) throw new Error(`${item.id} does not score as a TGE`);
  return {
    itemId: item.id,
    url: item.url,
    title: item.title,
    content_text: item.content_text,
    source: item._source ?? new URL(item.url).host,
    publishedAt: item.date_published,
    score: verdict.score,
    project: verdict.project,
    signals: verdict.signals,
  };
}

function setUp() {
  const store = new InMemoryDetectionStore();
  const publisher = new RecordingPublisher();
  const deps: AcceptDeps = { store, publisher, now, keywords: DEFAULT_KEYWORD_CONFIG };
  return { store, publisher, deps };
}

describe("acceptCandidate", () => {
  it("makes a detection of a valid candidate and announces it once as TgeDetected", async () => {
    const { publisher, deps } = setUp();

    const result = await acceptCandidate(aCandidate(), deps);

    expect(result.outcome).toBe("detected");
    if (result.outcome === "rejected") return;
    expect(TgeDetection.parse(result.detection)).toEqual(result.detection);
    expect(result.detection).toMatchObject({
      eventKey: "brindle",
      headline: "Brindle Protocol (BRDL) token generation event set for March 24",
      url: "https://ondrelmarkets.example/story/brindle-tge",
      detectedAt: now.toISOString(),
      itemIds: ["om-202603101000"],
    });
    expect(publisher.events).toEqual([{ source: EVENT_SOURCES.detection, detailType: TGE_DETECTED, detail: result.detection }]);
  });

  it("adds a second item of the same event to the detection, as a duplicate, and announces nothing more", async () => {
    const { store, publisher, deps } = setUp();
    const first = await acceptCandidate(aCandidate(), deps);

    const second = await acceptCandidate(
      aCandidate({
        itemId: "hm-202603101200",
        url: "https://www.hashmere.example/crypto/brindle-sets-tge",
        title: "Brindle sets its TGE for March 24",
        source: "Hashmere",
        project: { slug: "", name: "Brindle" },
      }),
      deps,
    );

    expect(second.outcome).toBe("duplicate");
    if (first.outcome === "rejected" || second.outcome === "rejected") return;
    expect(second.detection.detectionId).toBe(first.detection.detectionId);
    expect(second.detection.itemIds).toEqual(["om-202603101000", "hm-202603101200"]);
    expect(store.rows.get("brindle")?.detection.itemIds).toEqual(["om-202603101000", "hm-202603101200"]);
    expect(publisher.ofType(TGE_DETECTED)).toHaveLength(1);
  });

  it("treats two outlets' reports of one TGE in the fixture feed as one detection", async () => {
    const { publisher, deps } = setUp();

    const original = await acceptCandidate(candidateFrom(fixtureItem("bf-202603090805")), deps);
    const repeat = await acceptCandidate(candidateFrom(fixtureItem("hm-202603091140")), deps);

    expect([original.outcome, repeat.outcome]).toEqual(["detected", "duplicate"]);
    expect(publisher.events).toHaveLength(1);
    expect(publisher.events[0]?.detail).toMatchObject({ eventKey: "quillon", itemIds: ["bf-202603090805"] });
    if (repeat.outcome === "rejected") return;
    expect(repeat.detection.itemIds).toEqual(["bf-202603090805", "hm-202603091140"]);
  });

  it("recomputes the score from the text: a forged score of 1 on a real project's name that is no TGE story is rejected", async () => {
    // GIVEN the forged candidate of issue 17: a perfect score, a real project, a story about something else
    const { store, publisher, deps } = setUp();
    const forged = aCandidate({
      score: 1,
      title: "Brindle Protocol hires a new head of marketing",
      content_text: "Brindle Protocol announced a new head of marketing today.",
    });
    // WHEN
    const result = await acceptCandidate(forged, deps);
    // THEN
    expect(result.outcome).toBe("rejected");
    if (result.outcome !== "rejected") return;
    expect(
      result.problems.some((p) => /^score: [\d.]+ is below the threshold 0.5$/.test(p)),
      result.problems.join(),
    ).toBe(true);
    expect(store.writes).toBe(0);
    expect(publisher.calls).toBe(0);
    // Control: the real story of the same project, sent with a score of 0, is detected.
    expect((await acceptCandidate(aCandidate({ score: 0 }), deps)).outcome).toBe("detected");
  });

  it("rejects an invalid candidate with a problem per field, writing and announcing nothing", async () => {
    const { store, publisher, deps } = setUp();

    const result = await acceptCandidate(
      aCandidate({ title: "", content_text: "", url: "ftp://files.example/brindle", project: undefined }),
      deps,
    );

    expect(result).toEqual({
      outcome: "rejected",
      problems: [
        "project: missing",
        "score: 0 is below the threshold 0.5",
        "url: ftp is not http(s)",
        "title: empty once markup is removed",
      ],
    });
    expect(store.writes).toBe(0);
    expect(publisher.calls).toBe(0);
  });

  it("rejects what is not a candidate at all, naming the fields", async () => {
    const { store, deps } = setUp();

    const result = await acceptCandidate({ itemId: "x", score: "high" }, deps);

    expect(result.outcome).toBe("rejected");
    if (result.outcome !== "rejected") return;
    expect(result.problems.map((p) => p.split(":")[0])).toEqual(
      expect.arrayContaining(["url", "title", "content_text", "source", "publishedAt", "score", "signals"]),
    );
    expect(store.writes).toBe(0);
  });

  it("announces on a retry when the first announcement failed, under the same detection id", async () => {
    const { store, publisher, deps } = setUp();
    publisher.failNext();

    await expect(acceptCandidate(aCandidate(), deps)).rejects.toThrow("refused");
    expect(publisher.events).toEqual([]);
    expect(store.rows.get("brindle")?.published).toBe(false);

    const retry = await acceptCandidate(aCandidate(), deps);

    expect(retry.outcome).not.toBe("rejected");
    if (retry.outcome === "rejected") return;
    expect(publisher.ofType(TGE_DETECTED)).toHaveLength(1);
    expect(publisher.events[0]?.detail).toMatchObject({ detectionId: retry.detection.detectionId, eventKey: "brindle" });
    expect(retry.detection.itemIds).toEqual(["om-202603101000"]);
    expect(store.rows.get("brindle")?.published).toBe(true);

    // Once announced, further items and retries announce nothing.
    await acceptCandidate(aCandidate(), deps);
    await acceptCandidate(aCandidate({ itemId: "other-item", url: "https://other.example/brindle" }), deps);
    expect(publisher.ofType(TGE_DETECTED)).toHaveLength(1);
  });

  it("lets any later item of the event send an announcement that failed before, and says it detected it", async () => {
    const { publisher, deps } = setUp();
    publisher.failNext();
    await expect(acceptCandidate(aCandidate(), deps)).rejects.toThrow();

    const later = await acceptCandidate(aCandidate({ itemId: "hm-1", url: "https://www.hashmere.example/brindle" }), deps);

    expect(later.outcome).toBe("detected");
    expect(publisher.events).toHaveLength(1);
    expect(publisher.events[0]?.detail).toMatchObject({ eventKey: "brindle", itemIds: ["om-202603101000", "hm-1"] });
  });

  it("names the same detection id for the same event in another store (the id follows from the event key)", async () => {
    const a = setUp();
    const b = setUp();

    const one = await acceptCandidate(aCandidate(), a.deps);
    const two = await acceptCandidate(aCandidate({ itemId: "other", project: { slug: "", name: "Brindle" } }), b.deps);

    if (one.outcome === "rejected" || two.outcome === "rejected") throw new Error("both should be accepted");
    expect(two.detection.detectionId).toBe(one.detection.detectionId);
    const other = await acceptCandidate(aCandidate({ project: { slug: "velkora", name: "Velkora" } }), a.deps);
    if (other.outcome === "rejected") throw new Error("should be accepted");
    expect(other.detection.detectionId).not.toBe(one.detection.detectionId);
  });
});
