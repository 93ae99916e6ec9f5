import { JobSummary } from "#kernel/bus/job-events";
import * as z from "zod";
import { AGENT_TYPES, AgentType } from "#kernel/agent-catalog";

/**
 * The tasks context counts outcomes per minute and keeps them two hours, so that is the longest
 * window a report can cover with per-minute figures.
 */
export const MAX_ANALYSIS_WINDOW_MINUTES = 120;

/** What `metrics-analysis` is asked (seed 004 `analyze_system_metrics`): the window to report on. */
export const MetricsAnalysisParameters = z
  .object({
    /** The whole minutes before the job starts that the report covers. @default 60 */
    windowMinutes: z.number().int().min(1).max(MAX_ANALYSIS_WINDOW_MINUTES).default(60),
  })
  .strict();
export type MetricsAnalysisParameters = z.infer<typeof MetricsAnalysisParameters>;

/** One agent type's figures as the analysis reads them: outcomes in the window, backlog and mean times now. */
export interface TypeObservation {
  readonly agentType: AgentType;
  /** Tasks that finished in the window, and how many of those did not complete. */
  readonly finished: number;
  readonly unsuccessful: number;
  /** Attempts that ran out of time in the window. */
  readonly timedOut: number;
  /** Tasks waiting and running now. */
  readonly queued: number;
  readonly running: number;
  /** Mean queue and execution times over the type's history; undefined until measured. */
  readonly avgQueueMs: number | undefined;
  readonly avgExecutionMs: number | undefined;
}

export const RECOMMENDATION_CODES = ["stalled", "backlog", "queue-wait", "failure-rate", "timeouts", "idle", "healthy"] as const;

export const Recommendation = z.object({
  code: z.enum(RECOMMENDATION_CODES),
  severity: z.enum(["info", "warning", "critical"]),
  /** Absent when it is about the whole swarm. */
  agentType: AgentType.optional(),
  message: z.string().min(1),
});
export type Recommendation = z.infer<typeof Recommendation>;

const TypeReport = z.object({
  agentType: AgentType,
  finished: z.number().int().min(0),
  unsuccessful: z.number().int().min(0),
  timedOut: z.number().int().min(0),
  /** Unsuccessful ÷ finished in the window; null when nothing finished. */
  failureRate: z.number().min(0).max(1).nullable(),
  throughputPerMinute: z.number().min(0),
  queued: z.number().int().min(0),
  running: z.number().int().min(0),
  /** Minutes the backlog lasts at the window's throughput; null when nothing waits or nothing moved. */
  backlogMinutes: z.number().min(0).nullable(),
  avgQueueMs: z.number().int().min(0).nullable(),
  avgExecutionMs: z.number().int().min(0).nullable(),
});

/** The `metrics-analysis` job's result: the window's throughput, latency and failures, and what to do about them. */
export const MetricsAnalysisResult = JobSummary.extend({
  window: z.object({ from: z.iso.datetime(), to: z.iso.datetime(), minutes: z.number().int().min(1) }),
  totals: TypeReport.omit({ agentType: true, avgQueueMs: true, avgExecutionMs: true }),
  byAgentType: z.array(TypeReport),
  recommendations: z.array(Recommendation).min(1),
});
export type MetricsAnalysisResult = z.infer<typeof MetricsAnalysisResult>;

/** The thresholds the recommendations are drawn at; the defaults are the ones the job uses. */
export interface AnalysisThresholds {
  /** A failure rate at or above this, over at least `minFinished` tasks, is a warning (twice it, critical). */
  readonly failureRate: number;
  readonly minFinished: number;
  /** Timeouts at or above this share of finished tasks. */
  readonly timeoutShare: number;
  /** A backlog that takes longer than this to drain at the window's pace. */
  readonly backlogMinutes: number;
  /** Waiting longer than this, and longer than running, on average. */
  readonly queueWaitMs: number;
}

export const DEFAULT_THRESHOLDS: AnalysisThresholds = {
  failureRate: 0.1,
  minFinished: 10,
  timeoutShare: 0.05,
  backlogMinutes: 10,
  queueWaitMs: 30_000,
};

const rate = (part: number, whole: number) => (whole === 0 ? null : part / whole);
const round = (value: number, places = 2) => Math.round(value * 10 ** places) / 10 ** places;
const ms = (value: number | undefined) => (value === undefined ? null : Math.round(value));

function typeReport(o: TypeObservation, minutes: number): z.infer<typeof TypeReport> {
  const throughput = o.finished / minutes;
  return {
    agentType: o.agentType,
    finished: o.finished,
    unsuccessful: o.unsuccessful,
    timedOut: o.timedOut,
    failureRate: rate(o.unsuccessful, o.finished),
    throughputPerMinute: round(throughput),
    queued: o.queued,
    running: o.running,
    backlogMinutes: o.queued === 0 || throughput === 0 ? null : round(o.queued / throughput, 1),
    avgQueueMs: ms(o.avgQueueMs),
    avgExecutionMs: ms(o.avgExecutionMs),
  };
}

function recommendationsFor(report: z.infer<typeof TypeReport>, t: AnalysisThresholds): Recommendation[] {
  const { agentType } = report;
  const found: Recommendation[] = [];
  if (report.queued > 0 && report.finished === 0)
    found.push({
      code: "stalled",
      severity: "critical",
      agentType,
      message: `${report.queued} ${agentType} tasks wait and none finished in the window: check that its agents run, or scale it up`,
    });
  else if (report.backlogMinutes !== null && report.backlogMinutes > t.backlogMinutes)
    found.push({
      code: "backlog",
      severity: "warning",
      agentType,
      message: `the ${agentType} backlog takes about ${report.backlogMinutes} min to drain at ${report.throughputPerMinute}/min: scale it up`,
    });
  if (
    report.avgQueueMs !== null &&
    report.avgQueueMs > t.queueWaitMs &&
    report.avgQueueMs > (report.avgExecutionMs ?? 0) &&
    report.queued > 0
  )
    found.push({
      code: "queue-wait",
      severity: "warning",
      agentType,
      message: `${agentType} tasks wait ${Math.round(report.avgQueueMs / 1_000)} s on average, longer than they run: add agents or raise their concurrency`,
    });
  if (report.failureRate !== null && report.finished >= t.minFinished && report.failureRate >= t.failureRate)
    found.push({
      code: "failure-rate",
      severity: report.failureRate >= 2 * t.failureRate ? "critical" : "warning",
      agentType,
      message: `${Math.round(report.failureRate * 100)}% of ${report.finished} ${agentType} tasks did not complete: read their errors and dead letters`,
    });
  if (report.finished > 0 && report.timedOut / report.finished >= t.timeoutShare)
    found.push({
      code: "timeouts",
      severity: "warning",
      agentType,
      message: `${report.timedOut} ${agentType} attempts ran out of time: raise the type's timeout or find what slows them`,
    });
  return found;
}

/**
 * Seed 004's `analyze_system_metrics` over a window: per agent type and in total, the tasks
 * that finished, the share that did not complete, the throughput, the backlog and how long it
 * takes to drain, and the mean queue and execution times, with the recommendations those
 * figures call for. A quiet swarm says so (`idle`), a healthy one says that (`healthy`), so
 * the list is never empty.
 */
export function analyzeMetrics(
  observations: readonly TypeObservation[],
  window: { from: Date; to: Date; minutes: number },
  thresholds: AnalysisThresholds = DEFAULT_THRESHOLDS,
): MetricsAnalysisResult {
  const byAgentType = [...observations]
    .sort((a, b) => AGENT_TYPES.indexOf(a.agentType) - AGENT_TYPES.indexOf(b.agentType))
    .map((o) => typeReport(o, window.minutes));
  const sum = (key: "finished" | "unsuccessful" | "timedOut" | "queued" | "running") =>
    byAgentType.reduce((n, r) => n + r[key], 0);
  const finished = sum("finished");
  const queued = sum("queued");
  const throughput = finished / window.minutes;
  const totals = {
    finished,
    unsuccessful: sum("unsuccessful"),
    timedOut: sum("timedOut"),
    failureRate: rate(sum("unsuccessful"), finished),
    throughputPerMinute: round(throughput),
    queued,
    running: sum("running"),
    backlogMinutes: queued === 0 || throughput === 0 ? null : round(queued / throughput, 1),
  };
  const found = byAgentType.flatMap((report) => recommendationsFor(report, thresholds));
  const recommendations: Recommendation[] =
    found.length > 0
      ? found
      : [
          finished === 0 && queued === 0
            ? { code: "idle", severity: "info", message: `no task finished or waited in the last ${window.minutes} min` }
            : { code: "healthy", severity: "info", message: "throughput, failures and waits are within their thresholds" },
        ];
  const warnings = found.filter((r) => r.severity !== "info").length;
  return {
    summary: `${finished} tasks finished in ${window.minutes} min (${totals.throughputPerMinute}/min), ${totals.unsuccessful} did not complete; ${warnings === 0 ? "nothing to act on" : `${warnings} recommendation${warnings === 1 ? "" : "s"}`}`,
    window: { from: window.from.toISOString(), to: window.to.toISOString(), minutes: window.minutes },
    totals,
    byAgentType,
    recommendations,
  };
}
