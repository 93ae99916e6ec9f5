import { describe, expect, it } from "vitest";
import { DEFAULT_KEYWORD_CONFIG, evaluateOnLabelledSample, KeywordConfig } from "#detection/published/settings";
import { documentBytes } from "#optimization/domain/documents";
import {
  allPassed,
  labelledSampleCheck,
  MIN_FINISHED_TO_JUDGE,
  storedCheck,
  taskOutcomesCheck,
} from "#optimization/domain/verification";

describe("labelledSampleCheck", () => {
  const baseline = evaluateOnLabelledSample(DEFAULT_KEYWORD_CONFIG);

  it("passes a change that keeps precision and recall on the labelled sample", () => {
    const same = evaluateOnLabelledSample(KeywordConfig.parse({ ...DEFAULT_KEYWORD_CONFIG, version: "tuned" }));
    const check = labelledSampleCheck(baseline, same);
    expect(check).toMatchObject({ name: "labelled-sample", passed: true });
    expect(check.figures).toMatchObject({ eventRecallBefore: baseline.events.recall, eventRecallAfter: baseline.events.recall });
  });

  it("fails a threshold no real TGE reaches: recall collapses", () => {
    const blind = evaluateOnLabelledSample(KeywordConfig.parse({ ...DEFAULT_KEYWORD_CONFIG, threshold: 0.99 }));
    const check = labelledSampleCheck(baseline, blind);
    expect(check.passed).toBe(false);
    expect(check.detail).toMatch(/^worse on the labelled sample: .*eventRecall 1 → 0/);
  });

  it("fails a threshold every look-alike clears: precision collapses", () => {
    const credulous = evaluateOnLabelledSample(KeywordConfig.parse({ ...DEFAULT_KEYWORD_CONFIG, threshold: 0 }));
    const check = labelledSampleCheck(baseline, credulous);
    expect(check.passed).toBe(false);
    expect(check.detail).toContain("itemPrecision");
  });
});

describe("taskOutcomesCheck", () => {
  const before = { finished: 40, unsuccessful: 2, timedOut: 0 };

  it("fails when the failure rate rises by more than 5 points and half again", () => {
    const check = taskOutcomesCheck("data-quality", before, { finished: 20, unsuccessful: 8, timedOut: 0 });
    expect(check).toMatchObject({ passed: false, detail: "data-quality got worse: failure rate 0.05 → 0.4" });
  });

  it("passes a small rise, and a rise from nothing that stays small", () => {
    expect(taskOutcomesCheck("data-quality", before, { finished: 20, unsuccessful: 2, timedOut: 0 }).passed).toBe(true);
    expect(
      taskOutcomesCheck(
        "data-quality",
        { finished: 40, unsuccessful: 0, timedOut: 0 },
        { finished: 40, unsuccessful: 1, timedOut: 0 },
      ).passed,
    ).toBe(true);
  });

  it("fails when attempts start timing out", () => {
    const check = taskOutcomesCheck("keyword-precision", before, { finished: 20, unsuccessful: 1, timedOut: 10 });
    expect(check.passed).toBe(false);
    expect(check.detail).toContain("timeout share 0 → 0.333");
  });

  it(`lets the schema check stand when fewer than ${MIN_FINISHED_TO_JUDGE} tasks finished after`, () => {
    const check = taskOutcomesCheck("data-quality", before, {
      finished: MIN_FINISHED_TO_JUDGE - 1,
      unsuccessful: 4,
      timedOut: 0,
    });
    expect(check).toMatchObject({ passed: true, detail: expect.stringContaining("too few to judge by") });
    // Control: with enough finished, the same failures fail it.
    expect(
      taskOutcomesCheck("data-quality", before, { finished: MIN_FINISHED_TO_JUDGE, unsuccessful: 4, timedOut: 0 }).passed,
    ).toBe(false);
  });
});

describe("storedCheck", () => {
  const written = documentBytes({ threshold: 0.6 });

  it("passes the exact bytes written when they parse", () => {
    expect(storedCheck(written, new Uint8Array(written), true).passed).toBe(true);
  });

  it("fails a version that differs from what was written, is missing, or does not parse", () => {
    expect(storedCheck(written, documentBytes({ threshold: 0.7 }), true)).toMatchObject({
      passed: false,
      detail: expect.stringContaining("differs"),
    });
    expect(storedCheck(written, undefined, false).passed).toBe(false);
    expect(storedCheck(written, written, false).passed).toBe(false);
  });

  it("allPassed needs every check", () => {
    const ok = storedCheck(written, written, true);
    expect(allPassed([ok, ok])).toBe(true);
    expect(allPassed([ok, storedCheck(written, undefined, false)])).toBe(false);
  });
});
