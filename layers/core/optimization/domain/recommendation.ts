import * as z from "zod";
import { AgentType } from "#core/agents/domain/agent-types";
import { type DomainEvent, EVENT_SOURCES } from "#core/shared/events";
import { RISK_LEVELS } from "#config/stage-config";

export const RiskLevel = z.enum(RISK_LEVELS);
export type RiskLevel = z.infer<typeof RiskLevel>;

/** The settings a recommendation may propose to change. */
export const TUNABLE_SETTINGS = [
  "retryBaseDelaySeconds",
  "maxReceiveCount",
  "maxConcurrentTasksPerAgent",
  "maxAgentsPerType",
  "taskTimeoutSeconds",
] as const;
export const TunableSetting = z.enum(TUNABLE_SETTINGS);
export type TunableSetting = z.infer<typeof TunableSetting>;

/**
 * A change an agent proposes after reading the swarm's metrics: what to change, from what to
 * what, how risky it is, and the evidence. The optimization pipeline decides whether to apply it.
 */
export const Recommendation = z.object({
  recommendationId: z.string().min(1),
  proposedBy: z.object({ agentId: z.string(), agentType: AgentType }),
  /** The agent type the change concerns; absent for stage-wide settings. */
  agentType: AgentType.optional(),
  setting: TunableSetting,
  currentValue: z.number(),
  proposedValue: z.number(),
  risk: RiskLevel,
  rationale: z.string().min(1),
  /** The figures the rationale rests on. */
  evidence: z.record(z.string(), z.number()),
  proposedAt: z.iso.datetime(),
});
export type Recommendation = z.infer<typeof Recommendation>;

export const OPTIMIZATION_RECOMMENDED = "OptimizationRecommended";

export const recommendationEvent = (recommendation: Recommendation): DomainEvent<Recommendation> => ({
  source: EVENT_SOURCES.optimization,
  detailType: OPTIMIZATION_RECOMMENDED,
  detail: recommendation,
});
