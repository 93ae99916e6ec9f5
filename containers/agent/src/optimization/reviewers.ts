import * as z from "zod";
import { AgentsTableEnvironment } from "#agents/published/agent-environment";
import { fleetFigures, isLive } from "#agents/published/fleet-figures";
import { AGENT_TYPES } from "#kernel/agent-catalog";
import { REVIEW_FOCUS, type ReviewerType, reviewMetrics, typeMetricsOf } from "#optimization/domain/metrics-review";
import { recommendationEvent } from "#optimization/domain/recommendation";
import { REVIEW_THRESHOLDS_DOCUMENT, ReviewThresholds } from "#optimization/domain/review-thresholds";
import { RUNTIME_SETTINGS_DOCUMENT, RuntimeSettings } from "#optimization/published/runtime-settings";
import { s3SettingsReader, SettingsEnv } from "#optimization/published/settings-reader";
import { eventBridgeClient, s3Client } from "#shared/adapters/aws-clients";
import { EventBridgePublisher, EventBusEnvironment } from "#shared/adapters/eventbridge-publisher";
import { readEnv } from "#shared/env";
import { taskFigures } from "#tasks/published/task-figures";
import { TaskStatsTableEnvironment } from "#tasks/published/tables-environment";
import type { TaskHandler } from "../runtime/task-handler";
import type { Specialist, SpecialistContext } from "../runtime/specialist";

/**
 * api-reliability and performance-optimizer: `metrics.review` reads every type's task counters
 * and its agents' last heartbeats, and proposes setting changes — reliability from failures,
 * dead letters and timeouts; performance from CPU, memory and queue time. Each proposal goes
 * on the bus as `OptimizationRecommended` for the optimization pipeline.
 */
export function reviewer(context: SpecialistContext, agentType: ReviewerType): Specialist {
  // The tables are every agent's (AgentService writes them), the bus the reviewers' resources'.
  const shared = TaskStatsTableEnvironment.and(AgentsTableEnvironment).and(EventBusEnvironment).read(context.env);
  // The settings bucket and the review's latency target are the optimization stack's to declare as a contract.
  const env = readEnv(SettingsEnv.extend({ REVIEW_TARGET_LATENCY_SECONDS: z.coerce.number().int().min(1) }), context.env);
  const tasks = taskFigures(context.db, shared.TASK_STATS_TABLE);
  const fleet = fleetFigures(context.db, shared.AGENTS_TABLE);
  const publisher = new EventBridgePublisher(eventBridgeClient(), shared.EVENT_BUS_NAME);
  const s3 = s3Client();
  const onProblem = (message: string, details: Record<string, unknown>) => context.logger.error(message, details);
  const runtime = s3SettingsReader({ s3, env, document: RUNTIME_SETTINGS_DOCUMENT, schema: RuntimeSettings, onProblem });
  const thresholds = s3SettingsReader({ s3, env, document: REVIEW_THRESHOLDS_DOCUMENT, schema: ReviewThresholds, onProblem });

  const review: TaskHandler = async () => {
    const [figures, agents, current, rules] = await Promise.all([
      tasks.byType(),
      fleet.agents(),
      runtime.current(),
      thresholds.current(),
    ]);
    const settings = {
      runtime: current.value,
      runtimeVersion: current.version,
      thresholds: rules.value,
      targetLatencySeconds: env.REVIEW_TARGET_LATENCY_SECONDS,
    };
    const metrics = AGENT_TYPES.map((type) =>
      typeMetricsOf(
        type,
        figures[type],
        agents.filter((a) => a.agentType === type && isLive(a)).map((a) => a.workload),
      ),
    );
    const recommendations = reviewMetrics(
      REVIEW_FOCUS[agentType],
      metrics,
      settings,
      { agentId: context.agentId, agentType },
      new Date(),
    );
    if (recommendations.length > 0) await publisher.publish(recommendations.map(recommendationEvent));
    return {
      focus: REVIEW_FOCUS[agentType],
      typesReviewed: metrics.length,
      settingsVersions: { [RUNTIME_SETTINGS_DOCUMENT]: current.version, [REVIEW_THRESHOLDS_DOCUMENT]: rules.version },
      recommendations: recommendations.map((r) => ({ ...r, evidence: { ...r.evidence } })),
    };
  };

  return { handlers: { "metrics.review": review } };
}
