import type { SystemPoint } from "./system-metrics";

/** Where the minute's points are kept for `GET /api/metrics/system`. */
export interface MetricsHistory {
  /** Keeps a point; the same minute written again replaces it. */
  record(point: SystemPoint): Promise<void>;
  /** Every point with `from < at <= to`, oldest first. */
  between(from: string, to: string): Promise<SystemPoint[]>;
}
