import * as z from "zod";
import { AgentType } from "../agent-catalog";

export const RISK_LEVELS = ["low", "medium", "high", "critical"] as const;
export const RiskLevel = z.enum(RISK_LEVELS);
export type RiskLevel = z.infer<typeof RiskLevel>;

/** The settings a reviewer's recommendation may propose to change. */
export const TUNABLE_SETTINGS = [
  "retryBaseDelaySeconds",
  "maxReceiveCount",
  "maxConcurrentTasksPerAgent",
  "maxAgentsPerType",
  "taskTimeoutSeconds",
] as const;
export const TunableSetting = z.enum(TUNABLE_SETTINGS);
export type TunableSetting = z.infer<typeof TunableSetting>;

export const OPTIMIZATION_RECOMMENDED = "OptimizationRecommended";

/**
 * The `OptimizationRecommended` detail: a change an agent proposes after reading the swarm's
 * metrics — what to change, from what to what, how risky it is, and the evidence.
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

export const OPTIMIZATION_COMPLETED = "OptimizationCompleted";

/** How a recommendation's pipeline ended. */
export const OPTIMIZATION_OUTCOMES = [
  "applied",
  "rejected",
  "expired",
  "rolled_back",
  "stale",
  "conflict",
  "invalid",
  "failed",
] as const;
export const OptimizationOutcome = z.enum(OPTIMIZATION_OUTCOMES);
export type OptimizationOutcome = z.infer<typeof OptimizationOutcome>;

/**
 * The `OptimizationCompleted` detail (the dashboard's `optimization_result`): one per
 * recommendation, when the optimization pipeline settles it.
 */
export const OptimizationCompleted = z.object({
  recommendationId: z.string().min(1),
  outcome: OptimizationOutcome,
  /** Why it ended so, in words. */
  reason: z.string(),
  /** The settings document the change targets. */
  target: z.string().optional(),
  fromVersion: z.string().optional(),
  toVersion: z.string().optional(),
  /** Who approved or rejected it, when a person did. */
  decidedBy: z.string().optional(),
  completedAt: z.iso.datetime(),
});
export type OptimizationCompleted = z.infer<typeof OptimizationCompleted>;
