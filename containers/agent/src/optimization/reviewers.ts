import * as z from "zod";
import { fleetFigures, isLive } from "#agents/published/fleet-figures";
import { AGENT_TYPES } from "#kernel/agent-catalog";
import { REVIEW_FOCUS, type ReviewerType, reviewMetrics, typeMetricsOf } from "#optimization/domain/metrics-review";
import { recommendationEvent } from "#optimization/domain/recommendation";
import { eventBridgeClient } from "#shared/adapters/aws-clients";
import { EventBridgePublisher } from "#shared/adapters/eventbridge-publisher";
import { readEnv } from "#shared/env";
import { taskFigures } from "#tasks/published/task-figures";
import type { TaskHandler } from "../runtime/task-handler";
import type { Specialist, SpecialistContext } from "../runtime/specialist";

/**
 * api-reliability and performance-optimizer: `metrics.review` reads every type's task counters
 * and its agents' last heartbeats, and proposes setting changes — reliability from failures,
 * dead letters and timeouts; performance from CPU, memory and queue time. Each proposal goes
 * on the bus as `OptimizationRecommended` for the optimization pipeline.
 */
export function reviewer(context: SpecialistContext, agentType: ReviewerType): Specialist {
  const env = readEnv(
    z.object({
      TASK_STATS_TABLE: z.string().min(1),
      AGENTS_TABLE: z.string().min(1),
      EVENT_BUS_NAME: z.string().min(1),
      REVIEW_RETRY_BASE_DELAY_SECONDS: z.coerce.number().int().min(0),
      REVIEW_MAX_RECEIVE_COUNT: z.coerce.number().int().min(1),
      REVIEW_MAX_CONCURRENT_TASKS_PER_AGENT: z.coerce.number().int().min(1),
      REVIEW_MAX_AGENTS_PER_TYPE: z.coerce.number().int().min(1),
      REVIEW_TARGET_LATENCY_SECONDS: z.coerce.number().int().min(1),
    }),
    context.env,
  );
  const tasks = taskFigures(context.db, env.TASK_STATS_TABLE);
  const fleet = fleetFigures(context.db, env.AGENTS_TABLE);
  const publisher = new EventBridgePublisher(eventBridgeClient(), env.EVENT_BUS_NAME);
  const settings = {
    retryBaseDelaySeconds: env.REVIEW_RETRY_BASE_DELAY_SECONDS,
    maxReceiveCount: env.REVIEW_MAX_RECEIVE_COUNT,
    maxConcurrentTasksPerAgent: env.REVIEW_MAX_CONCURRENT_TASKS_PER_AGENT,
    maxAgentsPerType: env.REVIEW_MAX_AGENTS_PER_TYPE,
    targetLatencySeconds: env.REVIEW_TARGET_LATENCY_SECONDS,
  };

  const review: TaskHandler = async () => {
    const [figures, agents] = await Promise.all([tasks.byType(), fleet.agents()]);
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
      recommendations: recommendations.map((r) => ({ ...r, evidence: { ...r.evidence } })),
    };
  };

  return { handlers: { "metrics.review": review } };
}
