import { submitOptimization } from "#optimization/domain/intake";
import { OPTIMIZATION_ROUTES } from "#optimization/published/routes";
import { httpRoute, json } from "#shared/http";
import { metrics } from "#shared/powertools";
import { bucket, clock, control, store } from "./wiring";

/**
 * POST /api/optimizations — 202 with the stored recommendation once its pipeline is started;
 * 200 with the earlier one for a repeated idempotency key; 422 naming the operation that does
 * not apply to the version named.
 */
export const handler = httpRoute(OPTIMIZATION_ROUTES.submitOptimization, async ({ body, caller }) => {
  const { record, created } = await submitOptimization(body, caller, {
    store: store(),
    bucket: bucket(),
    control: control(),
    clock,
  });
  metrics.addMetric(created ? "OptimizationsSubmitted" : "OptimizationSubmissionsReplayed", "Count", 1);
  const { requestFingerprint: _fingerprint, ...view } = record;
  return json(
    created ? 202 : 200,
    { ...view, steps: [] },
    {
      location: `/api/optimizations/${record.recommendationId}`,
      ...(created ? {} : { "idempotent-replayed": "true" }),
    },
  );
});
