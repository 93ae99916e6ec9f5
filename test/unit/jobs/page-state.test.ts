import { describe, expect, it } from "vitest";
import type { ServerEvent, ServerEventType } from "#realtime/published/protocol";
import { applyEvent, type DashboardState, initialState } from "../../../web/src/state";

let seq = 0;
const event = (type: ServerEventType, data: unknown): ServerEvent => ({
  type,
  seq: ++seq,
  timestamp: "2026-12-02T06:00:00.000Z",
  data,
});
const apply = (state: DashboardState, ...events: ServerEvent[]) => events.reduce(applyEvent, state);
const progress = (sequence: number, percent: number) =>
  event("job_progress", {
    jobId: "j1",
    jobType: "scorer-training",
    sequence,
    percent,
    step: `searching ${sequence}`,
    etaSeconds: 10,
    reportedAt: `2026-12-02T06:00:${String(10 + sequence).padStart(2, "0")}.000Z`,
  });

describe("the page's jobs panel state", () => {
  it("shows a running job's newest progress and drops a late, older report", () => {
    const state = apply(initialState(), progress(0, 10), progress(2, 40), progress(1, 20));
    expect(state.jobs.j1).toMatchObject({ status: "running", sequence: 2, percent: 40 });
  });

  it("ends the row with the result and its held-out figures; progress after it changes nothing", () => {
    const result = event("job_result", {
      jobId: "j1",
      jobType: "scorer-training",
      status: "succeeded",
      createdBy: "operator",
      createdAt: "2026-12-02T06:00:00.000Z",
      finishedAt: "2026-12-02T06:01:00.000Z",
      result: {
        modelName: "keyword-scorer",
        artifact: { bucket: "b", key: "k" },
        datasets: ["fixture:tge-news"],
        training: { items: 40, precision: 1, recall: 0.9, f1: 0.95 },
        heldOut: { items: 20, precision: 1, recall: 0.8, f1: 0.889 },
        baseline: { items: 20, precision: 1, recall: 0.7, f1: 0.824 },
        candidatesTried: 10,
      },
    });
    const state = apply(initialState(), progress(0, 10), result, progress(5, 60));
    expect(state.jobs.j1).toMatchObject({ status: "succeeded", percent: 100, heldOutF1: 0.889, baselineF1: 0.824 });
  });

  it("shows another job type's one-line summary in place of figures", () => {
    const exported = event("job_result", {
      jobId: "j2",
      jobType: "data-export",
      status: "succeeded",
      createdBy: "admin",
      createdAt: "2026-12-02T06:00:00.000Z",
      finishedAt: "2026-12-02T06:01:00.000Z",
      result: { summary: "1200 items from 11 tables", manifest: { bucket: "b", key: "k" } },
    });
    const state = apply(initialState(), exported);
    expect(state.jobs.j2).toMatchObject({ status: "succeeded", summary: "1200 items from 11 tables" });
    expect(state.jobs.j2?.heldOutF1).toBeUndefined();
  });

  it("counts a job frame it cannot read as unreadable", () => {
    expect(apply(initialState(), event("job_progress", { jobId: "j1" })).unreadable).toBe(1);
  });
});
