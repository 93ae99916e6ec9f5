import { envContract, envVar } from "#shared/env-contract";
import { SCHEDULING_STRATEGIES } from "../domain/scheduling";

/**
 * The variables the task functions read, one contract per concern: the tasks stack writes each
 * with `toEnvironment` and `functions/tasks/wiring.ts` reads it with `read`, so a key renamed on
 * one side breaks the typecheck, not a cold start.
 */
export { TasksTablesEnvironment } from "../published/tables-environment";

export const RetryPolicyEnvironment = envContract({
  RETRY_BASE_DELAY_SECONDS: envVar.int({ min: 0 }),
  RETRY_MAX_DELAY_SECONDS: envVar.int({ min: 0, max: 900 }),
  QUEUED_TTL_SECONDS: envVar.int({ min: 1 }),
});

/** What `POST /api/tasks` and its batch form check a submission against. */
export const SubmitEnvironment = envContract({
  MAX_PAYLOAD_BYTES: envVar.int({ min: 1 }),
  MAX_QUEUE_DEPTH: envVar.int({ min: 1 }),
  SCHEDULING_STRATEGY: envVar.oneOf(SCHEDULING_STRATEGIES),
  DIAGNOSTIC_TASKS: envVar.oneOf(["enabled", "disabled"]),
});

export const TimerQueueEnvironment = envContract({ TIMER_QUEUE_URL: envVar.url() });

/** How long past its lease a claim is given before it is timed out. */
export const LeaseGraceEnvironment = envContract({ LEASE_GRACE_SECONDS: envVar.int({ min: 0 }) });

/** The sweeper's bounds (ADR 0017). */
export const SweepEnvironment = envContract({
  STRANDED_AFTER_SECONDS: envVar.int({ min: 1 }),
  SWEEP_MAX_TASKS: envVar.int({ min: 1 }),
});
