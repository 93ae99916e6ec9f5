import { describe, expect, it } from "vitest";
import { DEFAULT_KEYWORD_CONFIG } from "#detection/published/settings";
import type { SettingsChangeProposed } from "#kernel/bus/optimization";
import { intakeSettingsChange, MalformedProposalError } from "#optimization/domain/intake";
import { FakePipelineControl, fakeClock, InMemoryOptimizationStore } from "../../support/optimization";

const proposal = (overrides: Partial<SettingsChangeProposed> = {}): SettingsChangeProposed => ({
  recommendationId: "5f0c1d2e-0000-5000-8000-000000000001",
  document: "detection-keywords",
  baseVersion: "doc-v1",
  patch: [{ op: "replace", path: "", value: { ...DEFAULT_KEYWORD_CONFIG, threshold: 0.45 } }],
  title: "Promote model keyword-scorer v1",
  description: "held-out F1 85%",
  risk: "medium",
  confidence: 0.85,
  proposedBy: { model: "keyword-scorer", version: "v1" },
  requestedBy: "operator",
  proposedAt: "2026-12-02T06:00:00.000Z",
  ...overrides,
});

describe("a proposed settings change (a model promotion)", () => {
  it("is stored under the proposer's id as a model's recommendation and started once, however often it is delivered", async () => {
    // GIVEN
    const store = new InMemoryOptimizationStore();
    const control = new FakePipelineControl();
    const deps = { store, control, clock: fakeClock() };
    // WHEN it is delivered twice
    const first = await intakeSettingsChange(proposal(), deps);
    const again = await intakeSettingsChange(proposal(), deps);
    // THEN one recommendation, one execution
    expect(first).toEqual({ recommendationId: proposal().recommendationId, created: true });
    expect(again).toEqual({ recommendationId: proposal().recommendationId, created: false });
    expect(store.records.size).toBe(1);
    expect(control.started).toEqual([proposal().recommendationId]);
    expect(store.records.get(proposal().recommendationId)).toMatchObject({
      source: "model",
      submittedBy: "operator",
      severity: "medium",
      target: "detection-keywords",
      baseVersion: "doc-v1",
      model: { name: "keyword-scorer", version: "v1" },
      status: "received",
    });
  });

  it("throws for a document outside the catalog or a patch that is not RFC 6902, storing nothing", async () => {
    const store = new InMemoryOptimizationStore();
    const deps = { store, control: new FakePipelineControl(), clock: fakeClock() };
    await expect(intakeSettingsChange(proposal({ document: "no-such" }), deps)).rejects.toBeInstanceOf(MalformedProposalError);
    await expect(intakeSettingsChange(proposal({ patch: [{ op: "frobnicate", path: "/x" }] }), deps)).rejects.toThrow(/patch/);
    expect(store.records.size).toBe(0);
  });
});
