import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { EVENT_SOURCES } from "#kernel/bus/domain-event";
import { JOB_PROGRESSED, type JobProgressed } from "#kernel/bus/job-events";
import type { LocalOutputs } from "../local/outputs";
import { localToken } from "../local/users";
import { type Frame, WsClient } from "../local/ws-client";
import { summarize } from "./stats";

/**
 * Jobs (issue 12, seed 002: 10+ concurrent jobs, progress within 5 s): `jobs` scorer-training
 * jobs submitted at once, their wall time (first submit → last `job_result`) and each job's
 * duration, and the progress lag (the job's `reportedAt` → the `job_progress` frame received
 * here). The raw baseline, in the same run: `JobProgressed` events put straight on the bus
 * (no job process, no table, no stream) → frame received, so the cost of the outbox hop is plain.
 */
export async function jobsBenchmark(
  outputs: LocalOutputs,
  options: { jobs: number; candidates: number; baselineEvents: number },
) {
  const operator = await localToken(outputs, "operator");
  const client = await WsClient.connect(outputs.WebSocketUrl, await localToken(outputs, "viewer"));
  const arrivals: { frame: Frame; at: number }[] = [];
  client.socket.on("message", (raw) => arrivals.push({ frame: JSON.parse(raw.toString()) as Frame, at: Date.now() }));
  await client.subscribe(["jobs"]);
  try {
    const started = Date.now();
    const ids = await Promise.all(
      Array.from({ length: options.jobs }, async (_, seed) => {
        const response = await fetch(`${outputs.HttpApiUrl}/api/jobs`, {
          method: "POST",
          headers: { authorization: `Bearer ${operator}`, "content-type": "application/json" },
          body: JSON.stringify({
            type: "scorer-training",
            parameters: { datasets: ["fixture:tge-news", "fixture:tge-heldout"], seed, candidates: options.candidates },
          }),
          signal: AbortSignal.timeout(30_000),
        });
        const body = (await response.json()) as { jobId: string };
        if (response.status !== 202) throw new Error(`a job was refused (${response.status}): ${JSON.stringify(body)}`);
        return body.jobId;
      }),
    );
    const results = await Promise.all(
      ids.map((id) => client.waitFor((f) => f.type === "job_result" && f.data.jobId === id, 600_000, `job_result of ${id}`)),
    );
    const wallSeconds = (Date.now() - started) / 1_000;
    const failed = results.filter((r) => r.data.status !== "succeeded");
    if (failed.length > 0) throw new Error(`${failed.length} job(s) did not succeed: ${JSON.stringify(failed[0]?.data)}`);
    const durations = results.map((r) => (Date.parse(String(r.data.finishedAt)) - Date.parse(String(r.data.startedAt))) / 1_000);
    const mine = new Set(ids);
    const lags = arrivals
      .filter(({ frame }) => frame.type === "job_progress" && mine.has(String(frame.data.jobId)))
      .map(({ frame, at }) => at - Date.parse(String(frame.data.reportedAt)));

    // Baseline: the bus → WebSocket path alone.
    const bus = new EventBridgeClient({});
    const baseline: number[] = [];
    for (let sequence = 0; sequence < options.baselineEvents; sequence++) {
      const jobId = `bench-baseline-${started}`;
      const detail: JobProgressed = {
        jobId,
        jobType: "scorer-training",
        sequence,
        percent: sequence,
        step: "baseline",
        reportedAt: new Date().toISOString(),
      };
      const sent = Date.now();
      await bus.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: outputs.EventBusName,
              Source: EVENT_SOURCES.jobs,
              DetailType: JOB_PROGRESSED,
              Detail: JSON.stringify(detail),
            },
          ],
        }),
      );
      await client.waitFor((f) => f.type === "job_progress" && f.data.jobId === jobId && f.data.sequence === sequence, 30_000);
      baseline.push(Date.now() - sent);
    }
    bus.destroy();
    return {
      jobs: options.jobs,
      candidatesPerJob: options.candidates,
      wallSeconds: Math.round(wallSeconds * 10) / 10,
      jobSeconds: summarize(durations),
      progressFrames: lags.length,
      progressLagMs: summarize(lags),
      baselineBusToFrameMs: summarize(baseline),
      heldOutF1: summarize(results.map((r) => Number((r.data.result as { heldOut: { f1: number } }).heldOut.f1))),
    };
  } finally {
    client.close();
  }
}
