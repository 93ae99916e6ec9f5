import { metricsSnapshotEvent, takeMetricsSnapshot } from "#monitoring/domain/metrics-snapshot";
import { instrumented } from "#shared/instrumented";
import { publisher, snapshotSources } from "./wiring";

/**
 * Every minute (and on demand): task counts and timings, every queue's depth and the fleet's
 * agents by status, put on the bus as one `MetricsSnapshot` event for the dashboard (and for
 * `record-metrics-point`, which keeps it for `GET /api/metrics/system`). The event is also the
 * answer, so whoever invoked it can see what was published.
 */
export const handler = instrumented(
  async () => {
    const snapshot = await takeMetricsSnapshot(snapshotSources(), new Date());
    await publisher().publish([metricsSnapshotEvent(snapshot)]);
    return snapshot;
  },
  (snapshot) => ({
    at: snapshot.at,
    queued: snapshot.tasks.byStatus.queued,
    running: snapshot.tasks.byStatus.running,
    visible: snapshot.queues.reduce((sum, q) => sum + q.visible, 0),
  }),
);
