import * as z from "zod";
import { DynamoDbAgentRegistry } from "#core/agents/adapters/dynamodb-agent-registry";
import { AGENT_TYPES } from "#core/agents/domain/agent-types";
import { type ReviewFocus, reviewMetrics, typeMetricsOf } from "#core/optimization/domain/metrics-review";
import { recommendationEvent } from "#core/optimization/domain/recommendation";
import { eventBridgeClient } from "#core/shared/adapters/aws-clients";
import { EventBridgePublisher } from "#core/shared/adapters/eventbridge-publisher";
import { readEnv } from "#core/shared/env";
import { DynamoDbTaskStats } from "#core/tasks/adapters/dynamodb-task-stats";
import type { TaskHandler } from "../handlers/task-handler";
import type { Specialist, SpecialistContext } from "./specialist";

const FOCUS = { "api-reliability": "reliability", "performance-optimizer": "performance" } as const satisfies Record<
  string,
  ReviewFocus
>;

/**
 * api-reliability and performance-optimizer: `metrics.review` reads every type's task counters
 * and its agents' last heartbeats, and proposes setting changes — reliability from failures,
 * dead letters and timeouts; performance from CPU, memory and queue time. Each proposal goes
 * on the bus as `OptimizationRecommended` for the optimization pipeline.
 */
export function reviewer(context: SpecialistContext, agentType: keyof typeof FOCUS): Specialist {
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
  const stats = new DynamoDbTaskStats(context.db, env.TASK_STATS_TABLE);
  const registry = new DynamoDbAgentRegistry(context.db, env.AGENTS_TABLE);
  const publisher = new EventBridgePublisher(eventBridgeClient(), env.EVENT_BUS_NAME);
  const settings = {
    retryBaseDelaySeconds: env.REVIEW_RETRY_BASE_DELAY_SECONDS,
    maxReceiveCount: env.REVIEW_MAX_RECEIVE_COUNT,
    maxConcurrentTasksPerAgent: env.REVIEW_MAX_CONCURRENT_TASKS_PER_AGENT,
    maxAgentsPerType: env.REVIEW_MAX_AGENTS_PER_TYPE,
    targetLatencySeconds: env.REVIEW_TARGET_LATENCY_SECONDS,
  };

  const review: TaskHandler = async () => {
    const [counters, agents] = await Promise.all([stats.byType(), registry.list()]);
    const metrics = AGENT_TYPES.map((type) =>
      typeMetricsOf(
        type,
        counters[type],
        agents.filter((a) => a.agentType === type && (a.status === "healthy" || a.status === "degraded")).map((a) => a.workload),
      ),
    );
    const recommendations = reviewMetrics(
      FOCUS[agentType],
      metrics,
      settings,
      { agentId: context.agentId, agentType },
      new Date(),
    );
    if (recommendations.length > 0) await publisher.publish(recommendations.map(recommendationEvent));
    return {
      focus: FOCUS[agentType],
      typesReviewed: metrics.length,
      recommendations: recommendations.map((r) => ({ ...r, evidence: { ...r.evidence } })),
    };
  };

  return { handlers: { "metrics.review": review } };
}
