import { describe, expect, it } from "vitest";
import { type Contribution, synthesize } from "#coordination/domain/insights";
import { withValidatedProjects } from "../../../containers/agent/src/detection/keyword-precision";
import { DEFAULT_KEYWORD_CONFIG } from "#detection/domain/keyword-config";
import { scoreItem } from "#detection/domain/tge-scoring";

const NOW = new Date("2026-12-01T10:00:00.000Z");
const contribution = (over: Partial<Contribution>): Contribution => ({
  topic: "detection.projects",
  key: "quorvex",
  contributor: "agent:dq-1",
  value: { name: "Quorvex", symbol: "QVXR" },
  confidence: 0.6,
  evidence: ["https://news.example/quorvex"],
  publishedAt: NOW.getTime() - 1_000,
  expiresAt: NOW.getTime() + 60_000,
  ...over,
});

describe("insight synthesis", () => {
  it("pools agreeing contributors' confidence (1 − Π(1 − c)) and keeps all their evidence", () => {
    const insight = synthesize(
      [contribution({}), contribution({ contributor: "agent:dq-2", confidence: 0.5, evidence: ["https://other.example/q"] })],
      NOW,
    );
    expect(insight).toMatchObject({ confidence: 0.8, contradicted: false, contributors: ["agent:dq-1", "agent:dq-2"] });
    expect(insight?.evidence.flatMap((e) => e.evidence)).toEqual(["https://news.example/quorvex", "https://other.example/q"]);
  });

  it("flags a contradiction and keeps every alternative instead of averaging them", () => {
    const insight = synthesize(
      [contribution({ value: { name: "Quorvex", symbol: "QVX" }, contributor: "agent:a", confidence: 0.9 }), contribution({})],
      NOW,
    );
    expect(insight?.contradicted).toBe(true);
    expect(insight?.value).toEqual({ name: "Quorvex", symbol: "QVX" });
    expect(insight?.alternatives.map((a) => [a.value, a.confidence])).toEqual([
      [{ name: "Quorvex", symbol: "QVX" }, 0.9],
      [{ name: "Quorvex", symbol: "QVXR" }, 0.6],
    ]);
  });

  it("leaves expired contributions out (it never waits for TTL to delete them)", () => {
    expect(synthesize([contribution({ expiresAt: NOW.getTime() })], NOW)).toBeUndefined();
  });
});

describe("cross-pollination into keyword-precision", () => {
  const probe = {
    title: "QVXR token generation event set for Thursday",
    content_text: "The QVXR token generation event opens claims on Thursday for early testnet users.",
  };

  it("a validated project from data-quality turns a bare ticker into an identified TGE", () => {
    // Control: without the insight the ticker names no project, so the item is no TGE.
    expect(scoreItem(probe, DEFAULT_KEYWORD_CONFIG).isTge).toBe(false);
    const insight = synthesize([contribution({})], NOW);
    const learned = withValidatedProjects(DEFAULT_KEYWORD_CONFIG, insight ? [insight] : []);
    expect(scoreItem(probe, learned)).toMatchObject({ isTge: true, project: { slug: "quorvex", symbol: "QVXR" } });
  });

  it("skips an insight whose value is not a project, and one it already watches", () => {
    const junk = synthesize([contribution({ value: 42 })], NOW);
    const known = synthesize([contribution({ key: DEFAULT_KEYWORD_CONFIG.projects[0]?.slug ?? "x" })], NOW);
    expect(
      withValidatedProjects(
        DEFAULT_KEYWORD_CONFIG,
        [junk, known].flatMap((i) => (i ? [i] : [])),
      ),
    ).toBe(DEFAULT_KEYWORD_CONFIG);
  });
});
