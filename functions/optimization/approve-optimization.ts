import { decide } from "#optimization/domain/approvals";
import { OPTIMIZATION_ROUTES } from "#optimization/published/routes";
import { httpRoute, json } from "#shared/http";
import { logger } from "#shared/powertools";
import { clock, control, storeWithTokens } from "./wiring";

/**
 * POST /api/optimizations/{recommendationId}/approve — records the caller as the approver (one
 * conditional write: pending and before the deadline) and resumes the pipeline with the task
 * token kept beside the recommendation; 409 after the window closed or once decided.
 */
export const handler = httpRoute(OPTIMIZATION_ROUTES.approveOptimization, async ({ params, body, caller }) => {
  const record = await decide(params.recommendationId, "approved", caller, body.comment, {
    store: storeWithTokens(),
    control: control(),
    clock,
    onUndelivered: (recommendationId) =>
      logger.warn("the pipeline's wait ended before it could be resumed; its timeout step carries the decision on", {
        recommendationId,
      }),
  });
  const { requestFingerprint: _fingerprint, ...view } = record;
  return json(200, { ...view, steps: await storeWithTokens().steps(record.recommendationId) });
});
