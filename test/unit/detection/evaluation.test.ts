import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { evaluateDetections, ItemLabel, Labels } from "#detection/domain/evaluation";
import { Feed } from "#detection/domain/feed";

const readJson = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), "utf8")) as unknown;

describe("the fixture labels", () => {
  const feed = Feed.parse(readJson("../../../fixtures/feeds/tge-news.json"));
  const labels = Labels.parse(readJson("../../../fixtures/feeds/tge-news.labels.json"));

  it("label every feed item, and nothing else", () => {
    expect(Object.keys(labels).sort()).toEqual(feed.items.map((item) => item.id).sort());
  });

  it("hold about 20 TGE reports of at least 15 events among about 40 look-alikes of every kind", () => {
    const all = Object.values(labels);
    const tge = all.filter((label) => label.tge);
    expect(tge.length).toBeGreaterThanOrEqual(18);
    expect(new Set(tge.map((label) => label.event)).size).toBeGreaterThanOrEqual(15);
    expect(all.length - tge.length).toBeGreaterThanOrEqual(35);
    const kinds = new Set(all.map((label) => label.kind));
    for (const kind of [
      "price-talk",
      "name-collision",
      "ai-tokens",
      "rumor",
      "other-meaning",
      "generic",
      "unlock",
      "nft",
      "ipo",
    ]) {
      expect(kinds).toContain(kind);
    }
  });

  it("give each duplicate the event of an announcement", () => {
    const announced = new Set(Object.values(labels).flatMap((label) => (label.kind === "announcement" ? [label.event] : [])));
    const duplicates = Object.values(labels).filter((label) => label.kind === "duplicate");
    expect(duplicates.length).toBeGreaterThanOrEqual(3);
    for (const duplicate of duplicates) expect(announced).toContain(duplicate.event);
  });

  it("refuse an event on a look-alike, or a TGE without one", () => {
    expect(ItemLabel.safeParse({ tge: false, event: "x", kind: "rumor" }).success).toBe(false);
    expect(ItemLabel.safeParse({ tge: true, kind: "announcement" }).error?.issues[0]?.path).toEqual(["event"]);
  });
});

describe("evaluateDetections", () => {
  const labels: Labels = {
    a1: { tge: true, event: "brindle", symbol: "BRDL", kind: "announcement" },
    a2: { tge: true, event: "brindle", kind: "duplicate" },
    b1: { tge: true, event: "tidewell", kind: "announcement" },
    c1: { tge: true, event: "orrindale", kind: "announcement" },
    x1: { tge: false, kind: "price-talk" },
    x2: { tge: false, kind: "rumor" },
  };
  const brindle = { eventKey: "brindle", slug: "brindle" };
  const tidewell = { eventKey: "tidewell", slug: "tidewell" };

  it("measures per event: duplicates count once", () => {
    const { events, items } = evaluateDetections(labels, { a1: brindle, a2: brindle, b1: tidewell });
    expect(events).toMatchObject({ labeled: 3, detected: 2, correct: 2, precision: 1, recall: 0.667, missed: ["orrindale"] });
    expect(items).toMatchObject({ truePositives: 3, falsePositives: 0, falseNegatives: 1, trueNegatives: 2, missedIds: ["c1"] });
  });

  it("lists false positives by item and by event key", () => {
    const { events, items } = evaluateDetections(labels, {
      a1: brindle,
      b1: tidewell,
      c1: { eventKey: "orrindale:ord", slug: "orrindale" },
      x1: { eventKey: "ferrowind:frw", slug: "ferrowind" },
    });
    expect(events).toMatchObject({ detected: 4, correct: 3, precision: 0.75, recall: 1, spurious: ["ferrowind:frw"] });
    expect(items).toMatchObject({ falsePositives: 1, falsePositiveIds: ["x1"], precision: 0.75 });
  });

  it("counts a detection of the wrong project as a false positive and a miss", () => {
    const { events, items } = evaluateDetections(labels, { a1: brindle, b1: { eventKey: "bridgers", slug: "bridgers" } });
    expect(events).toMatchObject({ spurious: ["bridgers"], missed: ["orrindale", "tidewell"] });
    expect(items).toMatchObject({
      wrongProjectIds: ["b1"],
      falsePositiveIds: ["b1"],
      missedIds: expect.arrayContaining(["b1", "c1"]),
    });
  });

  it("shows one event split over several keys", () => {
    const { events } = evaluateDetections(labels, {
      a1: brindle,
      a2: { eventKey: "brindle-protocol", slug: "Brindle Protocol" },
    });
    expect(events).toMatchObject({
      detected: 2,
      correct: 2,
      precision: 1,
      fragmented: { brindle: ["brindle", "brindle-protocol"] },
    });
  });

  it("ignores detections of unlabelled items, and calls an empty run perfect precision", () => {
    expect(evaluateDetections(labels, { zz: brindle }).items.unlabeledIds).toEqual(["zz"]);
    expect(evaluateDetections(labels, {}).events).toMatchObject({ precision: 1, recall: 0 });
  });
});
