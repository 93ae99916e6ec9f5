import { describe, expect, it } from "vitest";
import { DEFAULT_KEYWORD_CONFIG } from "#detection/published/settings";
import { applyJsonPatch, type PatchOperation } from "#optimization/domain/json-patch";
import { assessRisk, needsApproval, type RiskInput } from "#optimization/domain/risk";
import { runtimeSettingsOf } from "#optimization/published/runtime-settings";

const runtime = runtimeSettingsOf({ maxAgentsPerType: 5, maxConcurrentTasksPerAgent: 3, retryBaseDelaySeconds: 2 });

function input(
  target: RiskInput["target"],
  before: unknown,
  patch: PatchOperation[],
  overrides: Partial<RiskInput> = {},
): RiskInput {
  const result = applyJsonPatch(before, patch);
  if (!result.applies) throw new Error(result.message);
  return { severity: "low", confidence: 0.9, target, patch, before, after: result.document, ...overrides };
}

const nudgeThreshold = input("detection-keywords", DEFAULT_KEYWORD_CONFIG, [{ op: "replace", path: "/threshold", value: 0.55 }]);

describe("assessRisk", () => {
  it("rates a small, confident tune of a labelled-sample-checked document low", () => {
    expect(assessRisk(nudgeThreshold)).toEqual({ level: "low", score: 0, reasons: ["severity low (+0)"] });
  });

  it("adds the severity the submitter gives", () => {
    expect(assessRisk({ ...nudgeThreshold, severity: "medium" }).level).toBe("medium");
    expect(assessRisk({ ...nudgeThreshold, severity: "high" }).level).toBe("high");
    expect(assessRisk({ ...nudgeThreshold, severity: "critical" }).level).toBe("critical");
  });

  it("adds doubt for low confidence, more the lower it is", () => {
    expect(assessRisk({ ...nudgeThreshold, confidence: 0.5 })).toMatchObject({ level: "low", score: 0.5 });
    expect(assessRisk({ ...nudgeThreshold, confidence: 0.3 })).toMatchObject({ level: "medium", score: 1 });
    expect(assessRisk({ ...nudgeThreshold, confidence: 0.1 })).toMatchObject({ level: "high", score: 2 });
    expect(assessRisk({ ...nudgeThreshold, confidence: 0.1 }).reasons).toContain("confidence 0.1 (+2)");
  });

  it("counts a change that more than doubles a number as wider reach", () => {
    const doubled = input("runtime-settings", runtime, [
      { op: "replace", path: "/agentTypes/data-quality/retryBaseDelaySeconds", value: 5 },
    ]);
    const assessment = assessRisk(doubled);
    expect(assessment.level).toBe("medium");
    expect(assessment.reasons).toContain(
      "/agentTypes/data-quality/retryBaseDelaySeconds 2 → 5: more than doubles or halves (+1)",
    );
    // Control: doubling exactly is still a tune.
    const twice = input("runtime-settings", runtime, [
      { op: "replace", path: "/agentTypes/data-quality/retryBaseDelaySeconds", value: 4 },
    ]);
    expect(assessRisk(twice).level).toBe("low");
  });

  it("counts changes to several agent types, or the fleet's size, as wider reach", () => {
    const two = input("runtime-settings", runtime, [
      { op: "replace", path: "/agentTypes/data-quality/retryBaseDelaySeconds", value: 3 },
      { op: "replace", path: "/agentTypes/keyword-precision/retryBaseDelaySeconds", value: 3 },
    ]);
    expect(assessRisk(two).reasons).toContain("changes 2 of 5 agent types (+1)");
    const fleet = input("runtime-settings", runtime, [{ op: "replace", path: "/maxAgentsPerType", value: 6 }]);
    expect(assessRisk(fleet)).toMatchObject({
      level: "medium",
      reasons: expect.arrayContaining(["changes the whole fleet, not one agent type (+1)"]),
    });
  });

  it("counts operations that change the document's shape, and rewrites", () => {
    const add = input("detection-keywords", DEFAULT_KEYWORD_CONFIG, [
      { op: "add", path: "/positive/-", value: { label: "ido", pattern: "\\bido\\b", weight: 0.2 } },
    ]);
    expect(assessRisk(add).reasons).toContain("add changes the document's shape (+1)");
    const many = input(
      "detection-keywords",
      DEFAULT_KEYWORD_CONFIG,
      [0, 1, 2, 3, 4, 5].map((i): PatchOperation => ({ op: "replace", path: `/positive/${i}/label`, value: `rule ${i}` })),
    );
    expect(assessRisk(many).reasons).toContain("6 operations: a rewrite rather than a tune (+1)");
  });

  it("counts the reach of documents nothing measures, and caps reach at 2", () => {
    const sources = { feeds: [{ url: "https://a.example/feed.json" }], pollSeconds: 30, requestsPerMinute: 30 };
    const swap = input("feed-sources", sources, [
      { op: "add", path: "/feeds/-", value: { url: "https://b.example/feed.json" } },
      { op: "replace", path: "/pollSeconds", value: 1 },
    ]);
    const assessment = assessRisk(swap);
    expect(assessment.score).toBe(2);
    expect(assessment.level).toBe("high");
  });

  it("ignores test operations, which change nothing", () => {
    const guarded = input("detection-keywords", DEFAULT_KEYWORD_CONFIG, [
      { op: "test", path: "/threshold", value: 0.5 },
      { op: "replace", path: "/threshold", value: 0.55 },
    ]);
    expect(assessRisk(guarded)).toEqual(assessRisk(nudgeThreshold));
  });
});

describe("needsApproval", () => {
  it("auto-applies only below the threshold, and only when the stage auto-applies", () => {
    const policy = { autoApplyLowRisk: true, requireApprovalThreshold: "medium" } as const;
    expect(needsApproval("low", policy)).toBe(false);
    expect(needsApproval("medium", policy)).toBe(true);
    expect(needsApproval("critical", policy)).toBe(true);
    expect(needsApproval("medium", { ...policy, requireApprovalThreshold: "high" })).toBe(false);
    expect(needsApproval("low", { ...policy, requireApprovalThreshold: "low" })).toBe(true);
    expect(needsApproval("low", { ...policy, autoApplyLowRisk: false })).toBe(true);
  });
});
