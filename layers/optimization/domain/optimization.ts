import * as z from "zod";
import { AgentType } from "#kernel/agent-catalog";
import { OPTIMIZATION_OUTCOMES, OptimizationOutcome, RiskLevel, TunableSetting } from "#kernel/bus/optimization";
import { DiffLine, JsonPatch } from "./json-patch";
import { SettingsName } from "./settings-catalog";

/** What kind of improvement a recommendation is after (seed 000's `type`). */
export const OPTIMIZATION_TYPES = ["performance", "reliability", "accuracy", "coverage", "cost"] as const;
export const OptimizationType = z.enum(OPTIMIZATION_TYPES);
export type OptimizationType = z.infer<typeof OptimizationType>;

/**
 * Where a recommendation is. It starts `received`; `pending` waits for a person (until the
 * approval deadline), who makes it `approved` or `rejected`, or the deadline makes it `expired`;
 * `applying` holds the document's lock through apply and verification. The outcomes are final.
 */
export const OPTIMIZATION_STATUSES = ["received", "pending", "approved", "applying", ...OPTIMIZATION_OUTCOMES] as const;
export const OptimizationStatus = z.enum(OPTIMIZATION_STATUSES);
export type OptimizationStatus = z.infer<typeof OptimizationStatus>;

/** `POST /api/optimizations`: seed 000's recommendation, its change a JSON Patch against one settings document at one version. */
export const SubmitOptimizationRequest = z
  .object({
    type: OptimizationType,
    /** How bad it would be if the change went wrong. */
    severity: RiskLevel,
    title: z.string().trim().min(1).max(200),
    description: z.string().max(4_000).default(""),
    /** The settings document the change targets (seed: target files). */
    document: SettingsName,
    /** The version of the document the patch was computed from (`GET /api/settings/{name}` says the current one). */
    baseVersion: z.string().min(1).max(1_024),
    /** The change (seed: proposed changes), as RFC 6902 operations. */
    patch: JsonPatch,
    expectedBenefits: z.array(z.string().min(1).max(500)).max(10).default([]),
    /** How sure the submitter is, 0 to 1 (seed: confidence score). */
    confidence: z.number().min(0).max(1),
    /** Makes the submission idempotent: the same key and body name the same recommendation. */
    idempotencyKey: z.string().min(1).max(128).optional(),
  })
  .strict()
  .meta({ id: "SubmitOptimizationRequest" });
export type SubmitOptimizationRequest = z.infer<typeof SubmitOptimizationRequest>;

/** Who proposed a recommendation that came from a reviewer agent, and what it said. */
export const ReviewerProposal = z.object({
  agentId: z.string(),
  agentType: AgentType,
  /** The agent type the change concerns. */
  concerns: AgentType.optional(),
  setting: TunableSetting,
  currentValue: z.number(),
  proposedValue: z.number(),
  evidence: z.record(z.string(), z.number()),
});

export const RiskView = z.object({
  level: RiskLevel,
  score: z.number(),
  reasons: z.array(z.string()),
  needsApproval: z.boolean(),
});

export const VerificationView = z.object({
  passed: z.boolean(),
  windowSeconds: z.number(),
  checks: z.array(
    z.object({
      name: z.string(),
      passed: z.boolean(),
      detail: z.string(),
      figures: z.record(z.string(), z.number()).optional(),
    }),
  ),
});

/**
 * A recommendation and everything the pipeline learnt about it. The pipeline writes each part
 * as it gets there; `version` grows with every write.
 */
export const Optimization = z.object({
  recommendationId: z.string().min(1),
  /** Where it came from: the API, a reviewer agent's recommendation, or a model's promotion (`SettingsChangeProposed`). */
  source: z.enum(["api", "agent", "model"]),
  submittedBy: z.string(),
  type: OptimizationType,
  severity: RiskLevel,
  title: z.string(),
  description: z.string(),
  expectedBenefits: z.array(z.string()),
  confidence: z.number(),
  target: SettingsName,
  baseVersion: z.string(),
  patch: JsonPatch,
  reviewer: ReviewerProposal.optional(),
  /** The model version a promotion puts into the document, when a model registry proposed it. */
  model: z.object({ name: z.string(), version: z.string() }).optional(),
  /** Fingerprint of an idempotent submission, to tell a replay from a different request under the same key. */
  requestFingerprint: z.string().optional(),
  status: OptimizationStatus,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z.number().int(),
  diff: z.array(DiffLine).optional(),
  risk: RiskView.optional(),
  /** When the pipeline asked for a decision, and until when one may be made. */
  approvalRequestedAt: z.iso.datetime().optional(),
  approvalDeadline: z.iso.datetime().optional(),
  /** How the approval step ended: a person's decision, or the deadline's. */
  decision: z.enum(["approved", "rejected", "expired"]).optional(),
  /** The authenticated approver (their user name). */
  decidedBy: z.string().optional(),
  decidedAt: z.iso.datetime().optional(),
  decisionComment: z.string().optional(),
  /** When the pipeline first asked for the document's lock (it gives up after the lock wait). */
  lockRequestedAt: z.iso.datetime().optional(),
  /** The lease the pipeline holds on the document, and its fencing token. */
  leaseId: z.string().optional(),
  fencingToken: z.number().int().optional(),
  /** The version the change created. */
  toVersion: z.string().optional(),
  appliedAt: z.iso.datetime().optional(),
  verification: VerificationView.optional(),
  /** The version rollback wrote: a byte-for-byte copy of `baseVersion`. */
  restoredVersion: z.string().optional(),
  outcome: OptimizationOutcome.optional(),
  reason: z.string().optional(),
  completedAt: z.iso.datetime().optional(),
});
export type Optimization = z.infer<typeof Optimization>;

/** A step the pipeline took, as it recorded it. */
export const PipelineStep = z.object({
  name: z.string(),
  outcome: z.string(),
  detail: z.string(),
  at: z.iso.datetime(),
});
export type PipelineStep = z.infer<typeof PipelineStep>;

/** `GET /api/optimizations/{id}`: the recommendation, the diff, risk, decision, versions, verification, and the steps. */
export const OptimizationView = Optimization.omit({ requestFingerprint: true })
  .extend({ steps: z.array(PipelineStep) })
  .meta({ id: "Optimization" });
export type OptimizationView = z.infer<typeof OptimizationView>;

/** One row of `GET /api/optimizations`. */
export const OptimizationSummary = Optimization.omit({
  patch: true,
  requestFingerprint: true,
  diff: true,
  verification: true,
  reviewer: true,
  expectedBenefits: true,
  description: true,
});
export type OptimizationSummary = z.infer<typeof OptimizationSummary>;

export const OptimizationListQuery = z
  .object({
    status: OptimizationStatus.optional(),
    /** A settings document name. */
    target: SettingsName.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().min(1).max(2_048).optional(),
  })
  .strict();
export type OptimizationListQuery = z.infer<typeof OptimizationListQuery>;

export const OptimizationPage = z
  .object({ items: z.array(OptimizationSummary), nextCursor: z.string().optional() })
  .meta({ id: "OptimizationPage" });

export const OptimizationIdParams = z.object({ recommendationId: z.string().min(1).max(80) }).strict();

/** The body of `POST /api/optimizations/{id}/approve|reject`. */
export const DecisionRequest = z
  .object({ comment: z.string().max(1_000).optional() })
  .strict()
  .meta({ id: "OptimizationDecisionRequest" });

/** `GET /api/optimizations/metrics` (seed 000's optimization metrics). */
export const OptimizationMetricsView = z
  .object({
    byOutcome: z.record(OptimizationOutcome, z.number().int()),
    /** Recommendations that needed a decision, and how long people took on average. */
    decided: z.number().int(),
    averageTimeToDecisionMs: z.number().int().nullable(),
    /** From received to applied, on average, for those applied (auto and approved alike). */
    averageTimeToApplyMs: z.number().int().nullable(),
  })
  .meta({ id: "OptimizationMetrics" });
export type OptimizationMetricsView = z.infer<typeof OptimizationMetricsView>;

/** Whether a status is final. */
export const isFinal = (status: OptimizationStatus): boolean => (OPTIMIZATION_OUTCOMES as readonly string[]).includes(status);
