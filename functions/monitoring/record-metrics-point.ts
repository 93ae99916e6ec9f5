import * as z from "zod";
import { METRICS_SNAPSHOT, MetricsSnapshot } from "#kernel/bus/metrics-snapshot";
import { pointOf } from "#monitoring/domain/system-metrics";
import { instrumented } from "#shared/instrumented";
import { metricsHistory } from "./wiring";

const SnapshotEvent = z.object({ "detail-type": z.literal(METRICS_SNAPSHOT), detail: MetricsSnapshot });

/**
 * Every `MetricsSnapshot` on the bus, kept as the minute's point for `GET /api/metrics/system`.
 * The same minute delivered again writes the same item; one that does not parse throws, so it
 * lands in the failure queue.
 */
export const handler = instrumented(
  async (event: unknown) => {
    const point = pointOf(SnapshotEvent.parse(event).detail);
    await metricsHistory().record(point);
    return point;
  },
  (point) => ({ at: point.at, connections: point.connections }),
);
