import type { Clock } from "#shared/clock";
import type { Caller } from "#shared/identity";
import { NotFoundError } from "#shared/errors";
import { DecisionRefusedError } from "./errors";
import type { Optimization } from "./optimization";
import type { OptimizationStore, PipelineControl } from "./ports";
import { decidedPlan } from "./transitions";

export interface DecisionDeps {
  readonly store: OptimizationStore;
  readonly control: PipelineControl;
  readonly clock: Clock;
  /** Told when the pipeline could not be resumed directly (it will read the decision when its wait times out). */
  readonly onUndelivered?: (recommendationId: string) => void;
}

function refusal(record: Optimization, now: Date): DecisionRefusedError {
  if (record.status === "expired" || (record.status === "pending" && (record.approvalDeadline ?? "") <= now.toISOString())) {
    return new DecisionRefusedError(
      "ApprovalWindowClosed",
      `the approval window of ${record.recommendationId} closed at ${record.approvalDeadline ?? "its deadline"}`,
    );
  }
  if (record.decision) {
    return new DecisionRefusedError(
      "AlreadyDecided",
      `${record.recommendationId} was already ${record.decision}${record.decidedBy ? ` by ${record.decidedBy}` : ""}`,
    );
  }
  return new DecisionRefusedError(
    "NotAwaitingApproval",
    `${record.recommendationId} is ${record.status}, not waiting for a decision`,
  );
}

/**
 * `POST /api/optimizations/{id}/approve|reject`: records the authenticated approver's decision
 * with one conditional write (`pending` and before the deadline), which the approval timeout's
 * own write (`pending` → `expired`) races against: exactly one lands. Then the pipeline is
 * resumed with the task token kept beside the recommendation; the token never leaves the back
 * end. A decision after the window, or a second decision, is refused (409).
 *
 *   approver ── decide (pending, deadline > now) ──▶ approved │ rejected ── take token ── SendTaskSuccess
 *   timeout  ── expire (pending) ──▶ expired          (whichever write lands first wins)
 *
 * If the resume misses (the wait timed out between the write and the resume), the timeout step
 * finds the decision in the record and goes on with it.
 *
 * @example
 * const record = await decide("9f2…", "approved", caller, "looks right", deps);
 */
export async function decide(
  recommendationId: string,
  decision: "approved" | "rejected",
  caller: Caller,
  comment: string | undefined,
  deps: DecisionDeps,
): Promise<Optimization> {
  const now = deps.clock.now();
  const result = await deps.store.apply(recommendationId, decidedPlan(decision, caller.username, comment, now));
  if (!result.applied) {
    if (!result.current) throw new NotFoundError("recommendation", recommendationId);
    throw refusal(result.current, now);
  }
  const token = await deps.store.takeToken(recommendationId);
  const reason = `${decision} by ${caller.username}${comment ? `: ${comment}` : ""}`;
  const resumed = token ? await deps.control.resume(token, { outcome: decision, decidedBy: caller.username, reason }) : "gone";
  if (resumed === "gone") deps.onUndelivered?.(recommendationId);
  return result.record;
}
