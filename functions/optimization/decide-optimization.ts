import { decide } from "#optimization/domain/approvals";
import { viewOf } from "#optimization/domain/views";
import { OPTIMIZATION_ROUTES } from "#optimization/published/routes";
import { httpRoute, json } from "#shared/http";
import { logger } from "#shared/powertools";
import { clock, control, storeWithTokens } from "./wiring";

const ROUTE_OF = { approved: OPTIMIZATION_ROUTES.approveOptimization, rejected: OPTIMIZATION_ROUTES.rejectOptimization } as const;

/**
 * `POST /api/optimizations/{recommendationId}/approve|reject`: records the caller as the approver
 * (one conditional write: pending and before the deadline) and resumes the pipeline with the
 * task token kept beside the recommendation; 409 after the window closed or once decided.
 */
export const decisionHandler = (decision: keyof typeof ROUTE_OF) =>
  httpRoute(ROUTE_OF[decision], async ({ params, body, caller }) => {
    const record = await decide(params.recommendationId, decision, caller, body.comment, {
      store: storeWithTokens(),
      control: control(),
      clock,
      onUndelivered: (recommendationId) =>
        logger.warn("the pipeline's wait ended before it could be resumed; its timeout step carries the decision on", {
          recommendationId,
        }),
    });
    return json(200, viewOf(record, await storeWithTokens().steps(record.recommendationId)));
  });
