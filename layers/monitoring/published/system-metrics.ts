/**
 * The system metrics view as other parts read it: the dashboard page charts its series, and
 * folds each live `metrics` frame into the same view without waiting for the history.
 */
export {
  METRICS_WINDOWS,
  MetricsWindow,
  pointOf,
  SystemMetricsView,
  type SystemPoint,
  systemMetricsView,
} from "../domain/system-metrics";
