import { AGENT_TYPES } from "#kernel/agent-catalog";
import type { TaskFigures } from "#tasks/published/task-figures";
import { analyzeMetrics, type MetricsAnalysisResult, MetricsAnalysisParameters, type TypeObservation } from "./metrics-analysis";
import type { JobRunner } from "./run-job";

/** The task figures the analysis reads, as the tasks context publishes them. */
export type TaskFiguresSource = TaskFigures;

/**
 * `metrics-analysis`: the window is the `windowMinutes` whole minutes through the one the job
 * starts in (so a task that finished a moment ago counts), read per agent type from the task
 * counters, then analysed.
 */
export const metricsAnalysisRunner =
  (figures: TaskFiguresSource): JobRunner =>
  async (_jobId, raw, { progress, clock }): Promise<MetricsAnalysisResult> => {
    const { windowMinutes } = MetricsAnalysisParameters.parse(raw);
    const to = clock.now();
    const from = new Date(to.getTime() - (windowMinutes - 1) * 60_000);
    await progress.report(0, "reading task figures", { force: true, message: `the last ${windowMinutes} min` });
    const now = await figures.byType();
    const observations: TypeObservation[] = [];
    for (const [index, agentType] of AGENT_TYPES.entries()) {
      const outcomes = await figures.outcomes(agentType, from, to);
      const { queued, running, avgQueueMs, avgExecutionMs } = now[agentType];
      observations.push({ agentType, ...outcomes, queued, running, avgQueueMs, avgExecutionMs });
      await progress.report((90 * (index + 1)) / AGENT_TYPES.length, `reading ${agentType}`);
    }
    const report = analyzeMetrics(observations, { from, to, minutes: windowMinutes });
    await progress.report(100, "done", { force: true, message: report.summary });
    return report;
  };
