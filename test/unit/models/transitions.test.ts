import { describe, expect, it } from "vitest";
import { DEFAULT_KEYWORD_CONFIG } from "#detection/published/settings";
import { conditionalUpdateOf } from "#models/adapters/dynamodb-model-store";
import type { ModelVersion } from "#models/domain/model-version";
import { keepCandidate, promote, retire, startPromotion, versionWriteHolds } from "#models/domain/transitions";

const at = "2026-12-02T06:00:00.000Z";
const figures = { items: 10, precision: 1, recall: 1, f1: 1 };
const version = (overrides: Partial<ModelVersion> = {}): ModelVersion => ({
  name: "keyword-scorer",
  version: "v1",
  number: 1,
  jobId: "job-1",
  datasets: ["fixture:x"],
  heldOut: figures,
  training: figures,
  baseline: figures,
  candidatesTried: 1,
  document: "detection-keywords",
  artifact: {
    key: "models/keyword-scorer/job-1.json",
    versionId: "v",
    sha256: "0".repeat(64),
    bytes: JSON.stringify(DEFAULT_KEYWORD_CONFIG).length,
  },
  createdBy: "operator",
  createdAt: at,
  status: "candidate",
  promotionAttempts: 0,
  updatedAt: at,
  ...overrides,
});
const pending = { recommendationId: "r1", baseVersion: "b", requestedBy: "operator", requestedAt: at };

describe("version writes", () => {
  it("start a promotion only from candidate or retired, with none pending, at the attempt read", () => {
    const write = startPromotion(version(), pending, at);
    expect(versionWriteHolds(version(), write)).toBe(true);
    expect(versionWriteHolds(version({ status: "retired" }), write)).toBe(true);
    expect(versionWriteHolds(version({ status: "promoted" }), write)).toBe(false);
    expect(versionWriteHolds(version({ promotion: pending }), write)).toBe(false);
    expect(versionWriteHolds(version({ promotionAttempts: 1 }), write)).toBe(false);
    expect(versionWriteHolds(undefined, write)).toBe(false);
  });

  it("settle only the promotion pending, and retire only a promoted version", () => {
    expect(versionWriteHolds(version({ promotion: pending }), promote("r1", "ok", at))).toBe(true);
    expect(versionWriteHolds(version({ promotion: pending }), promote("r2", "ok", at))).toBe(false);
    expect(versionWriteHolds(version(), keepCandidate("r1", "rolled_back", "no", at))).toBe(false);
    expect(versionWriteHolds(version({ status: "promoted" }), retire(at))).toBe(true);
    expect(versionWriteHolds(version(), retire(at))).toBe(false);
  });

  it("become DynamoDB conditions on status, the mirrored pending id and the attempt counter", () => {
    expect(conditionalUpdateOf(startPromotion(version(), pending, at))).toEqual({
      conditions: [
        { attribute: "status", oneOf: ["candidate", "retired"] },
        { attribute: "pendingRecommendationId", exists: false },
        { attribute: "promotionAttempts", equals: 0 },
      ],
      set: { promotion: pending, promotionAttempts: 1, updatedAt: at, pendingRecommendationId: "r1" },
      remove: [],
    });
    expect(conditionalUpdateOf(promote("r1", "ok", at))).toMatchObject({
      conditions: [
        { attribute: "status", oneOf: ["candidate", "retired"] },
        { attribute: "pendingRecommendationId", equals: "r1" },
      ],
      remove: ["promotion", "retiredAt", "pendingRecommendationId"],
    });
  });
});
