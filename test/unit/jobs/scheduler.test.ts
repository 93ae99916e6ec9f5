import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { cancelJob, dispatchQueued, failDeadJobs, submitJob } from "#jobs/domain/lifecycle";
import { jobEvents } from "#jobs/domain/job-events";
import type { Caller } from "#shared/identity";
import { FakeJobTasks, InMemoryJobStore } from "./in-memory-job-store";

const operator: Caller = { sub: "op", username: "operator", roles: ["operator"] };
const request = {
  type: "scorer-training" as const,
  parameters: {
    datasets: ["fixture:tge-news"],
    seed: 1,
    candidates: 5,
    heldOutFraction: 0.3,
    modelName: "keyword-scorer",
    paceMillis: 0,
  },
};

function world(maxRunning: number) {
  let t = Date.parse("2026-12-02T06:00:00Z");
  const clock = { now: () => new Date((t += 1_000)) };
  const store = new InMemoryJobStore();
  const tasks = new FakeJobTasks();
  return { store, tasks, clock, deps: { store, tasks, clock, maxRunning }, advance: (s: number) => (t += s * 1_000) };
}

describe("the job scheduler's slots", () => {
  it("starts at most maxConcurrentJobs, the rest stay queued in order and start as slots free", async () => {
    // GIVEN five jobs and two slots
    const w = world(2);
    const jobs = [];
    for (let i = 0; i < 5; i++) jobs.push(await submitJob(request, operator, w));
    // WHEN the dispatcher runs
    await dispatchQueued(w.deps);
    // THEN the two oldest run, the rest wait
    expect(w.tasks.started).toEqual([jobs[0]?.jobId, jobs[1]?.jobId]);
    expect(await w.store.slotsInUse()).toBe(2);
    // WHEN one finishes, the next oldest starts
    await w.store.finish(jobs[0]?.jobId as string, "running", { status: "succeeded", at: w.clock.now().toISOString() });
    await dispatchQueued(w.deps);
    expect(w.tasks.started).toEqual([jobs[0]?.jobId, jobs[1]?.jobId, jobs[2]?.jobId]);
  });

  it("never double-starts a job or over-fills the slots when dispatchers race (duplicate delivery)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 2, max: 5 }),
        async (max, count, racers) => {
          const w = world(max);
          for (let i = 0; i < count; i++) await submitJob(request, operator, w);
          await Promise.all(Array.from({ length: racers }, () => dispatchQueued(w.deps)));
          expect(new Set(w.tasks.started).size).toBe(w.tasks.started.length);
          expect(w.tasks.started.length).toBe(Math.min(max, count));
          expect(await w.store.slotsInUse()).toBe(Math.min(max, count));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("a control: without the claim's condition, racing dispatchers start a job twice", async () => {
    const w = world(3);
    for (let i = 0; i < 3; i++) await submitJob(request, operator, w);
    // An unconditional claim: mark running whatever the status and slots.
    w.store.claim = async (jobId) => {
      await new Promise((r) => setImmediate(r));
      w.store.slots++;
      const job = w.store.jobs.get(jobId);
      if (job) w.store.jobs.set(jobId, { ...job, status: "running" });
      return "claimed";
    };
    await Promise.all([dispatchQueued(w.deps), dispatchQueued(w.deps)]);
    expect(w.tasks.started.length).toBeGreaterThan(new Set(w.tasks.started).size);
  });

  it("fails a job whose task cannot start and frees its slot", async () => {
    const w = world(1);
    const a = await submitJob(request, operator, w);
    const b = await submitJob(request, operator, w);
    w.tasks.failNext = true;
    const outcome = await dispatchQueued(w.deps);
    expect(outcome.failed).toEqual([a.jobId]);
    expect(w.store.jobs.get(a.jobId)?.reason).toMatch(/could not be started: no capacity/);
    expect(outcome.started).toEqual([b.jobId]);
    expect(await w.store.slotsInUse()).toBe(1);
  });

  it("cancels a running job: its slot freed, its task stopped; a finished one answers 409", async () => {
    const w = world(1);
    const job = await submitJob(request, operator, w);
    await dispatchQueued(w.deps);
    const cancelled = await cancelJob(job.jobId, operator, "not needed", w.deps);
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.reason).toBe("cancelled by operator: not needed");
    expect(await w.store.slotsInUse()).toBe(0);
    expect([...w.tasks.stoppedTasks.keys()]).toEqual([cancelled.taskArn]);
    await expect(cancelJob(job.jobId, operator, undefined, w.deps)).rejects.toMatchObject({ status: 409 });
  });

  it("fails dead jobs once: stopped task, lapsed heartbeat, timeout — and leaves live ones", async () => {
    const w = world(3);
    const [dead, silent, live] = [
      await submitJob(request, operator, w),
      await submitJob(request, operator, w),
      await submitJob(request, operator, w),
    ];
    await dispatchQueued(w.deps);
    const deadTask = w.store.jobs.get(dead.jobId)?.taskArn as string;
    w.tasks.stoppedTasks.set(deadTask, "Essential container in task exited (SIGKILL)");
    w.advance(20);
    await w.store.heartbeat(live.jobId, w.clock.now().toISOString());
    const sweep = { ...w.deps, heartbeatTimeoutSeconds: 15, jobTimeoutSeconds: 600 };
    const [first, second] = [await failDeadJobs(sweep), await failDeadJobs(sweep)];
    expect(first.failed.map((f) => f.jobId).sort()).toEqual([dead.jobId, silent.jobId].sort());
    expect(w.store.jobs.get(dead.jobId)?.reason).toMatch(/task stopped .*SIGKILL/);
    expect(w.store.jobs.get(silent.jobId)?.reason).toMatch(/no heartbeat/);
    expect(w.store.jobs.get(live.jobId)?.status).toBe("running");
    expect(second.failed).toEqual([]);
    expect(await w.store.slotsInUse()).toBe(1);
  });

  it("announces progress when the sequence grows and JobFinished only on the move into a final status", async () => {
    const w = world(1);
    const job = await submitJob(request, operator, w);
    await dispatchQueued(w.deps);
    const running = w.store.jobs.get(job.jobId);
    if (!running) throw new Error("the job is gone");
    const progressed = {
      ...running,
      progress: { sequence: 0, percent: 10, step: "searching", reportedAt: "2026-12-02T06:00:10.000Z" },
    };
    expect(jobEvents(running, progressed).map((e) => e.detailType)).toEqual(["JobProgressed"]);
    expect(jobEvents(progressed, { ...progressed, heartbeatAt: "2026-12-02T06:00:11.000Z" })).toEqual([]);
    const done = { ...progressed, status: "succeeded" as const, finishedAt: "2026-12-02T06:00:12.000Z" };
    expect(jobEvents(progressed, done).map((e) => e.detailType)).toEqual(["JobFinished"]);
    expect(jobEvents(done, { ...done, reason: "x" })).toEqual([]);
  });
});
