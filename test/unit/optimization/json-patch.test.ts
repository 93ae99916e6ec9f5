import { describe, expect, it } from "vitest";
import { applyJsonPatch, diffLineText, diffOf, JsonPatch } from "#optimization/domain/json-patch";
import { reviewerChange } from "#optimization/domain/reviewer-change";
import { runtimeSettingsOf } from "#optimization/published/runtime-settings";
import type { Recommendation } from "#kernel/bus/optimization";

const doc = { threshold: 0.5, positive: [{ label: "tge", weight: 0.4 }], nested: { a: 1 } };

describe("applyJsonPatch", () => {
  it("applies RFC 6902 operations to a copy, never to the original", () => {
    const result = applyJsonPatch(doc, [
      { op: "test", path: "/threshold", value: 0.5 },
      { op: "replace", path: "/threshold", value: 0.6 },
      { op: "add", path: "/positive/-", value: { label: "ido", weight: 0.2 } },
      { op: "remove", path: "/nested/a" },
    ]);
    expect(result).toEqual({
      applies: true,
      document: {
        threshold: 0.6,
        positive: [
          { label: "tge", weight: 0.4 },
          { label: "ido", weight: 0.2 },
        ],
        nested: {},
      },
    });
    expect(doc.threshold).toBe(0.5);
  });

  it("names the operation that does not apply, by its index, and why", () => {
    expect(
      applyJsonPatch(doc, [
        { op: "replace", path: "/threshold", value: 0.6 },
        { op: "replace", path: "/missing", value: 1 },
      ]),
    ).toMatchObject({
      applies: false,
      opIndex: 1,
      op: { op: "replace", path: "/missing" },
      message: "the path does not exist in the document",
    });
    expect(applyJsonPatch(doc, [{ op: "test", path: "/threshold", value: 0.7 }])).toMatchObject({
      applies: false,
      opIndex: 0,
      message: "the test does not hold: the document has another value there",
    });
    expect(applyJsonPatch(doc, [{ op: "add", path: "/no/such/parent", value: 1 }])).toMatchObject({ applies: false, opIndex: 0 });
  });

  it("refuses to touch the prototype", () => {
    expect(applyJsonPatch(doc, [{ op: "add", path: "/__proto__/polluted", value: true }]).applies).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("JsonPatch schema", () => {
  it("refuses unknown ops, missing values, unknown members and non-pointers", () => {
    const issues = (patch: unknown) => JsonPatch.safeParse(patch).error?.issues.map((i) => i.path.join("."));
    expect(issues([{ op: "merge", path: "/a" }])).toEqual(["0.op"]);
    expect(issues([{ op: "replace", path: "/a" }])).toEqual(["0.value"]);
    expect(issues([{ op: "remove", path: "/a", value: 1 }])).toEqual(["0"]);
    expect(issues([{ op: "remove", path: "a" }])).toEqual(["0.path"]);
    expect(issues([])).toEqual([""]);
  });
});

describe("diffOf", () => {
  it("shows each change with its value before and after, and leaves tests out", () => {
    const patch = [
      { op: "test", path: "/threshold", value: 0.5 },
      { op: "replace", path: "/threshold", value: 0.6 },
      { op: "remove", path: "/nested/a" },
    ] as const;
    const result = applyJsonPatch(doc, [...patch]);
    if (!result.applies) throw new Error("should apply");
    const diff = diffOf(doc, result.document, [...patch]);
    expect(diff.map(diffLineText)).toEqual(["replace /threshold: 0.5 → 0.6", "remove /nested/a: 1 → ∅"]);
  });
});

describe("reviewerChange", () => {
  const recommendation: Recommendation = {
    recommendationId: "rec-1",
    proposedBy: { agentId: "ar-1", agentType: "api-reliability" },
    agentType: "data-quality",
    setting: "retryBaseDelaySeconds",
    currentValue: 2,
    proposedValue: 4,
    risk: "low",
    rationale: "data-quality fails 30% of its tasks",
    evidence: { failureRate: 0.3 },
    proposedAt: "2026-12-01T10:00:00.000Z",
  };
  const runtime = runtimeSettingsOf({ maxAgentsPerType: 5, maxConcurrentTasksPerAgent: 3, retryBaseDelaySeconds: 2 });

  it("maps a per-type setting onto runtime-settings, testing the value the reviewer saw", () => {
    const change = reviewerChange(recommendation);
    expect(change).toEqual({
      target: "runtime-settings",
      type: "reliability",
      title: "retryBaseDelaySeconds 2 → 4 (data-quality)",
      patch: [
        { op: "test", path: "/agentTypes/data-quality/retryBaseDelaySeconds", value: 2 },
        { op: "replace", path: "/agentTypes/data-quality/retryBaseDelaySeconds", value: 4 },
      ],
    });
    const applied = applyJsonPatch(runtime, change.patch);
    expect(applied.applies && (applied.document as typeof runtime).agentTypes["data-quality"].retryBaseDelaySeconds).toBe(4);
  });

  it("does not apply when the value moved since the reviewer read it", () => {
    const moved = {
      ...runtime,
      agentTypes: { ...runtime.agentTypes, "data-quality": { ...runtime.agentTypes["data-quality"], retryBaseDelaySeconds: 3 } },
    };
    expect(applyJsonPatch(moved, reviewerChange(recommendation).patch)).toMatchObject({ applies: false, opIndex: 0 });
  });

  it("maps the fleet's size to the document's one value, and a stage-wide setting to every type", () => {
    const fleet = reviewerChange({
      ...recommendation,
      proposedBy: { agentId: "po-1", agentType: "performance-optimizer" },
      setting: "maxAgentsPerType",
      currentValue: 5,
      proposedValue: 8,
    });
    expect(fleet).toMatchObject({
      type: "performance",
      patch: [
        { op: "test", path: "/maxAgentsPerType", value: 5 },
        { op: "replace", path: "/maxAgentsPerType", value: 8 },
      ],
    });
    const { agentType: _type, ...stageWide } = recommendation;
    expect(reviewerChange(stageWide).patch).toHaveLength(10);
  });
});
