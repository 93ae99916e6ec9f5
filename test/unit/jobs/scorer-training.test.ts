import { describe, expect, it } from "vitest";
import { fixtureDataset } from "#detection/published/fixture-datasets";
import { DEFAULT_KEYWORD_CONFIG, KeywordConfig } from "#detection/published/scorer";
import { ProgressReporter } from "#jobs/domain/progress";
import { runScorerTraining } from "#jobs/domain/run-scorer-training";
import { labelledItems, scorerFigures, searchScorer, stratifiedSplit } from "#jobs/domain/scorer-training";
import { ScorerTrainingParameters } from "#jobs/domain/job";
import { ScorerTrainingResult, trainedConfigVersion, trainingJobOf } from "#kernel/bus/job-events";

const items = labelledItems([
  { ref: "fixture:tge-news", dataset: fixtureDataset("tge-news") },
  { ref: "fixture:tge-heldout", dataset: fixtureDataset("tge-heldout") },
]);

describe("the held-out split", () => {
  it("never leaks: every item is on exactly one side", () => {
    for (const seed of [1, 2, 3, 99]) {
      const { training, heldOut } = stratifiedSplit(items, 0.3, seed);
      const trainingIds = new Set(training.map((i) => i.id));
      expect(heldOut.filter((i) => trainingIds.has(i.id))).toEqual([]);
      expect(training.length + heldOut.length).toBe(items.length);
    }
  });

  it("is stratified by label: each side keeps the share of TGEs", () => {
    const { training, heldOut } = stratifiedSplit(items, 0.3, 7);
    const tges = items.filter((i) => i.tge).length;
    expect(heldOut.filter((i) => i.tge).length).toBe(Math.round(tges * 0.3));
    expect(heldOut.filter((i) => !i.tge).length).toBe(Math.round((items.length - tges) * 0.3));
    expect(training.some((i) => i.tge) && training.some((i) => !i.tge)).toBe(true);
  });

  it("depends on the seed and the data only, not the order the items came in", () => {
    const a = stratifiedSplit(items, 0.3, 5)
      .heldOut.map((i) => i.id)
      .sort();
    const b = stratifiedSplit([...items].reverse(), 0.3, 5)
      .heldOut.map((i) => i.id)
      .sort();
    const c = stratifiedSplit(items, 0.3, 6)
      .heldOut.map((i) => i.id)
      .sort();
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });
});

describe("the search", () => {
  const { training } = stratifiedSplit(items, 0.3, 1);

  // The search scores every training item per candidate: seconds, not milliseconds, on a busy machine.
  it("improves or keeps the training F1 of the starting config", { timeout: 60_000 }, async () => {
    const start = scorerFigures(DEFAULT_KEYWORD_CONFIG, training);
    // A deliberately bad start (threshold 1: nothing flagged) must improve.
    const bad = { ...DEFAULT_KEYWORD_CONFIG, threshold: 1 };
    for (const seed of [1, 2]) {
      const fromDefault = await searchScorer(DEFAULT_KEYWORD_CONFIG, training, { candidates: 15, seed });
      expect(fromDefault.training.f1).toBeGreaterThanOrEqual(start.f1);
      const fromBad = await searchScorer(bad, training, { candidates: 40, seed });
      expect(fromBad.training.f1).toBeGreaterThan(scorerFigures(bad, training).f1);
      expect(KeywordConfig.safeParse(fromBad.config).success).toBe(true);
    }
  });

  it("is deterministic per seed", { timeout: 60_000 }, async () => {
    const a = await searchScorer({ ...DEFAULT_KEYWORD_CONFIG, threshold: 0.9 }, training, { candidates: 25, seed: 4 });
    const b = await searchScorer({ ...DEFAULT_KEYWORD_CONFIG, threshold: 0.9 }, training, { candidates: 25, seed: 4 });
    expect(b.config).toEqual(a.config);
    expect(b.training).toEqual(a.training);
  });
});

describe("a scorer-training run", () => {
  it("reports progress in order and answers a ScorerTrainingResult measured on held-out items", { timeout: 60_000 }, async () => {
    const reports: { sequence: number; percent: number }[] = [];
    let t = 0;
    const clock = { now: () => new Date(Date.parse("2026-12-02T06:00:00Z") + (t += 10)) };
    const progress = new ProgressReporter("job-1", async (p) => (reports.push(p), true), clock, 0);
    const written: { key: string; document: unknown }[] = [];
    const parameters = ScorerTrainingParameters.parse({ datasets: ["fixture:tge-news"], candidates: 10 });
    const result = await runScorerTraining("00000000-0000-4000-8000-000000000001", parameters, {
      datasets: { load: async () => fixtureDataset("tge-news") },
      artifacts: {
        putJson: async (key, document) => (written.push({ key, document }), { bucket: "b", key, versionId: "v1" }),
        putText: async () => Promise.reject(new Error("scorer-training writes JSON only")),
      },
      progress,
      startConfig: async () => ({ value: DEFAULT_KEYWORD_CONFIG, settingsVersion: "s3-v7" }),
      sleep: async () => undefined,
    });
    expect(ScorerTrainingResult.parse(result)).toEqual(result);
    expect(result.heldOut.items + result.training.items).toBe(fixtureDataset("tge-news").feed.items.length);
    expect(reports.map((r) => r.sequence)).toEqual(reports.map((_, i) => i));
    expect(reports.at(-1)?.percent).toBe(100);
    expect(result.startedFrom).toEqual({ settingsVersion: "s3-v7", configVersion: DEFAULT_KEYWORD_CONFIG.version });
    expect(KeywordConfig.parse(written[0]?.document).version).toBe("keyword-scorer-00000000-0000-4000-8000-000000000001");
  });
});

describe("a tuned config's version", () => {
  it("names its model and job, read back whatever hyphens the model's name has; other versions name none", () => {
    const jobId = "0f8e2a4c-1b3d-4e5f-8a9b-0c1d2e3f4a5b";
    expect(trainingJobOf(trainedConfigVersion("keyword-scorer-eu", jobId))).toEqual({ modelName: "keyword-scorer-eu", jobId });
    expect(trainingJobOf(DEFAULT_KEYWORD_CONFIG.version)).toBeUndefined();
    expect(trainingJobOf(`-${jobId}`)).toBeUndefined();
    expect(trainingJobOf(`keyword-scorer-${jobId}x`)).toBeUndefined();
  });
});
