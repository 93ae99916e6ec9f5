import { describe, expect, it } from "vitest";
import type { JobProgress } from "#jobs/domain/job";
import { JobNoLongerRunningError, ProgressReporter } from "#jobs/domain/progress";
import { JobDatasets } from "#jobs/adapters/dataset-source";

const clockAt = () => {
  let t = Date.parse("2026-12-02T06:00:00Z");
  return { clock: { now: () => new Date(t) }, advance: (ms: number) => (t += ms) };
};

describe("the progress reporter", () => {
  it("numbers reports from 0, holds back ones closer than the interval unless forced or a new step, and estimates the time left", async () => {
    const { clock, advance } = clockAt();
    const sent: JobProgress[] = [];
    const reporter = new ProgressReporter("j", async (p) => (sent.push(p), true), clock, 500);
    await reporter.report(0, "loading datasets", { force: true });
    advance(100);
    await reporter.report(10, "searching 1 of 9");
    advance(100);
    await reporter.report(20, "searching 2 of 9"); // held back: same step, 100 ms later
    advance(600);
    await reporter.report(40, "searching 4 of 9");
    advance(10);
    await reporter.report(100, "done", { force: true });
    expect(sent.map((p) => [p.sequence, p.percent])).toEqual([
      [0, 0],
      [1, 10],
      [2, 40],
      [3, 100],
    ]);
    // 800 ms in at 40 %: about 1.2 s left, rounded to whole seconds.
    expect(sent[2]?.etaSeconds).toBe(1);
    expect(sent[3]?.etaSeconds).toBe(0);
  });

  it("stops the job when a report is refused (the job was ended elsewhere)", async () => {
    const { clock } = clockAt();
    const reporter = new ProgressReporter("j", async () => false, clock);
    await expect(reporter.report(5, "searching", { force: true })).rejects.toBeInstanceOf(JobNoLongerRunningError);
  });
});

describe("the job's datasets", () => {
  it("reads shipped fixtures and refuses uploads until the files reader is wired", async () => {
    const datasets = new JobDatasets();
    expect((await datasets.load("fixture:tge-heldout")).feed.items.length).toBe(65);
    await expect(datasets.load("fixture:nope")).rejects.toThrow(/no shipped dataset is named nope/);
    await expect(datasets.load("file:abc")).rejects.toThrow(/not readable by this deployment yet/);
    const wired = new JobDatasets(async () => await datasets.load("fixture:tge-news"));
    expect((await wired.load("file:abc")).feed.items.length).toBe(62);
  });
});
