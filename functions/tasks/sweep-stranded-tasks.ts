import type { Context } from "aws-lambda";
import { instrumented } from "#shared/instrumented";
import { logger, metrics } from "#shared/powertools";
import { type SweepReport, sweepStrandedTasks } from "#tasks/domain/sweeper";
import { sweepPorts } from "./wiring";

/** Some tasks could not be swept this run; the next run tries them again. */
export class SweepIncompleteError extends AggregateError {
  constructor(failures: SweepReport["failures"]) {
    super(
      failures.map((f) => f.error),
      `could not sweep ${failures.length} task(s): ${failures.map((f) => f.taskId).join(", ")}`,
    );
    this.name = "SweepIncompleteError";
  }
}

/**
 * Every minute (ADR 0017): re-dispatch queued tasks the outbox never relayed, time out running
 * tasks whose lease lapsed past the grace, recover timed-out ones, expire stale ones. One run at
 * a time (reserved concurrency 1). A task it could not act on fails the run, after the others.
 */
export const handler = instrumented(
  async (_event: unknown, _context: Context) => {
    const report = await sweepStrandedTasks(sweepPorts(), new Date());
    metrics.addMetric("SweptRedispatched", "Count", report.redispatched.length);
    metrics.addMetric("SweptTimedOut", "Count", report.timedOut.length);
    metrics.addMetric("SweptRecovered", "Count", report.recovered.length);
    metrics.addMetric("SweptExpired", "Count", report.expired.length);
    metrics.addMetric("SweepFailures", "Count", report.failures.length);
    if (report.failures.length > 0) throw new SweepIncompleteError(report.failures);
    if (report.examined > 0) logger.info("swept", { ...report, failures: undefined });
    return { ...report, failures: [] };
  },
  (report) => ({
    examined: report.examined,
    redispatched: report.redispatched.length,
    timedOut: report.timedOut.length,
    recovered: report.recovered.length,
    expired: report.expired.length,
  }),
);
