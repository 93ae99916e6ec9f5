import { RISK_LEVELS } from "#kernel/bus/optimization";
import { EventBusEnvironment } from "#shared/adapters/eventbridge-publisher";
import { envContract, envVar } from "#shared/env-contract";

/**
 * The variables the optimization functions and reviewer agents read, one contract per concern:
 * the optimization stack writes each with `toEnvironment`, `functions/optimization/wiring.ts`
 * (and the reviewers) read it, so a renamed key breaks the typecheck, not a cold start.
 */
export const OptimizationsTableEnvironment = envContract({ OPTIMIZATIONS_TABLE: envVar.name() });

/** Only the functions that wait for or make a decision are given the task tokens' table. */
export const ApprovalTokensEnvironment = envContract({ APPROVAL_TOKENS_TABLE: envVar.name() });

export const StateMachineEnvironment = envContract({ STATE_MACHINE_ARN: envVar.name() });

/** The stage's `autoApplyLowRisk` and `requireApprovalThreshold`. */
export const ApprovalPolicyEnvironment = envContract({
  AUTO_APPLY_LOW_RISK: envVar.bool(),
  REQUIRE_APPROVAL_THRESHOLD: envVar.oneOf(RISK_LEVELS),
});

export const ApprovalTimeoutEnvironment = envContract({ APPROVAL_TIMEOUT_SECONDS: envVar.int({ min: 0 }) });

export const VerificationWindowEnvironment = envContract({ VERIFICATION_WINDOW_SECONDS: envVar.int({ min: 0 }) });

/** How long the pipeline waits for a document's lock, and how long it holds it. */
export const DocumentLockEnvironment = envContract({
  LOCK_WAIT_SECONDS: envVar.int({ min: 0 }),
  LOCK_LEASE_SECONDS: envVar.int({ min: 0 }),
});

/** What a reviewer agent (api-reliability, performance-optimizer) is given beside the settings. */
export const ReviewerEnvironment = EventBusEnvironment.and(
  envContract({ REVIEW_TARGET_LATENCY_SECONDS: envVar.int({ min: 1 }) }),
);
