import type { OptimizationOutcome } from "#kernel/bus/optimization";
import type { UpdatePlan } from "#shared/update-plan";
import type { Optimization, OptimizationStatus } from "./optimization";

/**
 * Every write the pipeline and the approvers make to a recommendation, as a plan (see
 * `#shared/update-plan`): one conditional write each. A retried step repeats its plan and gets
 * the same result; two writers racing for one status change cannot both win.
 *
 *   received ──validate/assess──▶ received ──await──▶ pending ──decide──▶ approved │ rejected
 *                                     │                  └──deadline──▶ expired
 *                                     └──────auto──────▶ applying ◀──lock── approved
 *   applying ──apply, verify, roll back──▶ applying
 *   any, not yet completed ──complete──▶ <outcome>
 */
const BEFORE_DECISION: readonly OptimizationStatus[] = ["received"];
const MAY_APPLY: readonly OptimizationStatus[] = ["received", "approved", "applying"];

export const validatedPlan = (diff: Optimization["diff"], now: Date): UpdatePlan => ({
  kind: "validated",
  from: BEFORE_DECISION,
  set: { diff, updatedAt: now.toISOString() },
});

export const assessedPlan = (risk: NonNullable<Optimization["risk"]>, now: Date): UpdatePlan => ({
  kind: "assessed",
  from: BEFORE_DECISION,
  set: { risk, updatedAt: now.toISOString() },
});

/** Waits for a person until `deadline`; a retried request keeps the first deadline. */
export const awaitingPlan = (requestedAt: string, deadline: string, now: Date): UpdatePlan => ({
  kind: "awaiting-approval",
  from: [...BEFORE_DECISION, "pending"],
  set: { status: "pending", approvalRequestedAt: requestedAt, approvalDeadline: deadline, updatedAt: now.toISOString() },
});

/**
 * A person's decision: only while pending and before the deadline. This write and `expiredPlan`
 * are the one arbiter between a decision and the timeout: each needs `pending`, so exactly one
 * of them lands.
 */
export const decidedPlan = (
  decision: "approved" | "rejected",
  decidedBy: string,
  comment: string | undefined,
  now: Date,
): UpdatePlan => ({
  kind: decision,
  from: ["pending"],
  greaterThan: { approvalDeadline: now.toISOString() },
  set: {
    status: decision,
    decision,
    decidedBy,
    decidedAt: now.toISOString(),
    decisionComment: comment,
    updatedAt: now.toISOString(),
  },
});

/** The deadline passed without a decision. */
export const expiredPlan = (now: Date): UpdatePlan => ({
  kind: "expired",
  from: ["pending"],
  set: { status: "expired", decision: "expired", decidedAt: now.toISOString(), updatedAt: now.toISOString() },
});

/** The first request for the document's lock starts the lock wait. */
export const lockRequestedPlan = (now: Date): UpdatePlan => ({
  kind: "lock-requested",
  from: MAY_APPLY,
  absent: ["lockRequestedAt"],
  set: { lockRequestedAt: now.toISOString(), updatedAt: now.toISOString() },
});

export const lockedPlan = (lock: { leaseId: string; token: number }, now: Date): UpdatePlan => ({
  kind: "locked",
  from: MAY_APPLY,
  set: { status: "applying", leaseId: lock.leaseId, fencingToken: lock.token, updatedAt: now.toISOString() },
});

export const appliedPlan = (toVersion: string, now: Date): UpdatePlan => ({
  kind: "applied",
  from: ["applying"],
  set: { toVersion, appliedAt: now.toISOString(), updatedAt: now.toISOString() },
});

export const verifiedPlan = (verification: NonNullable<Optimization["verification"]>, now: Date): UpdatePlan => ({
  kind: "verified",
  from: ["applying"],
  set: { verification, updatedAt: now.toISOString() },
});

export const restoredPlan = (restoredVersion: string, now: Date): UpdatePlan => ({
  kind: "restored",
  from: ["applying"],
  set: { restoredVersion, updatedAt: now.toISOString() },
});

/** The outcome, once: a recommendation that has `completedAt` is settled. */
export const completedPlan = (outcome: OptimizationOutcome, reason: string, now: Date): UpdatePlan => ({
  kind: "completed",
  absent: ["completedAt"],
  set: { status: outcome, outcome, reason, completedAt: now.toISOString(), updatedAt: now.toISOString() },
});
