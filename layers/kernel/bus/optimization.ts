import * as z from "zod";
import { AgentType } from "../agent-catalog";

export const RISK_LEVELS = ["low", "medium", "high", "critical"] as const;
export const RiskLevel = z.enum(RISK_LEVELS);
export type RiskLevel = z.infer<typeof RiskLevel>;

/**
 * The runtime settings a reviewer's recommendation may propose to change: each one is read by
 * the agents or functions it governs from the `runtime-settings` document at run time, so it
 * changes without a deploy. (`maxReceiveCount` is not among them: it is the redrive policy of
 * every work queue, a CloudFormation property that only a deploy changes.)
 */
export const TUNABLE_SETTINGS = [
  "retryBaseDelaySeconds",
  "maxConcurrentTasksPerAgent",
  "maxAgentsPerType",
  "taskTimeoutSeconds",
] as const;
export const TunableSetting = z.enum(TUNABLE_SETTINGS);
export type TunableSetting = z.infer<typeof TunableSetting>;

export const OPTIMIZATION_RECOMMENDED = "OptimizationRecommended";

/**
 * The `OptimizationRecommended` detail: a change an agent proposes after reading the swarm's
 * metrics — what to change, from what to what, how risky it is, and the evidence. The
 * optimization pipeline maps it onto the settings document the setting lives in.
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
  /** How sure the reviewer is, 0 to 1 (more evidence, more confidence). @default 0.5 when absent */
  confidence: z.number().min(0).max(1).optional(),
  /** The version of the settings document `currentValue` was read from; absent: the current one. */
  settingsVersion: z.string().min(1).optional(),
  proposedAt: z.iso.datetime(),
});
export type Recommendation = z.infer<typeof Recommendation>;

export const OPTIMIZATION_AWAITING_APPROVAL = "OptimizationAwaitingApproval";

/**
 * The `OptimizationAwaitingApproval` detail (the dashboard's `optimization_pending`): a
 * recommendation whose risk needs a person's decision before `approvalDeadline`. It never
 * carries the pipeline's task token: approvers decide through the authenticated API.
 */
export const OptimizationAwaitingApproval = z.object({
  recommendationId: z.string().min(1),
  title: z.string(),
  /** The settings document the change targets. */
  target: z.string(),
  fromVersion: z.string(),
  risk: RiskLevel,
  severity: RiskLevel,
  /** The change, one line per JSON Patch operation (`replace /threshold: 0.5 → 0.6`). */
  summary: z.array(z.string()),
  requestedAt: z.iso.datetime(),
  approvalDeadline: z.iso.datetime(),
});
export type OptimizationAwaitingApproval = z.infer<typeof OptimizationAwaitingApproval>;

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
  /** The title the recommendation was given (a reviewer's rationale, or the submitter's title). */
  title: z.string().optional(),
  completedAt: z.iso.datetime(),
});
export type OptimizationCompleted = z.infer<typeof OptimizationCompleted>;

export const SETTINGS_CHANGE_PROPOSED = "SettingsChangeProposed";

/**
 * The `SettingsChangeProposed` detail: another context asks the optimization pipeline to take a
 * change to one settings document through validation, approval, apply, verification and
 * rollback, like any other recommendation (the model registry's promotion is the first). Its
 * `recommendationId` is chosen by the proposer and is deterministic, so a redelivered or repeated
 * proposal names the same recommendation and starts nothing twice.
 *
 * Not in the dashboard's catalog (`BUS_EVENTS`): it is a request between two contexts, and the
 * dashboard shows what becomes of it (`optimization_pending`, `optimization_result`).
 */
export const SettingsChangeProposed = z.object({
  recommendationId: z.string().min(1),
  /** The settings document to change (a name of the optimization context's catalog). */
  document: z.string().min(1),
  /** The version of the document the patch was computed against. */
  baseVersion: z.string().min(1),
  /** RFC 6902 operations; the optimization context parses them with its own patch schema. */
  patch: z.array(z.record(z.string(), z.unknown())).min(1).max(100),
  title: z.string().min(1).max(200),
  description: z.string().max(4_000),
  /** How bad it would be if the change went wrong: the pipeline's risk assessment starts here. */
  risk: RiskLevel,
  /** 0 to 1. */
  confidence: z.number().min(0).max(1),
  /** What produced the change. */
  proposedBy: z.object({ model: z.string().min(1), version: z.string().min(1) }),
  /** The person who asked for it (their user name): the recommendation's submitter. */
  requestedBy: z.string().min(1),
  proposedAt: z.iso.datetime(),
});
export type SettingsChangeProposed = z.infer<typeof SettingsChangeProposed>;
