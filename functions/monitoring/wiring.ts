import { fleetFigures } from "#agents/published/fleet-figures";
import { connectionCount } from "#realtime/published/connection-count";
import type { SnapshotSources } from "#monitoring/domain/metrics-snapshot";
import { dynamoDocumentClient, eventBridgeClient, sqsClient } from "#shared/adapters/aws-clients";
import { EventBridgePublisher, EventBusEnvironment } from "#shared/adapters/eventbridge-publisher";
import { MetricsHistoryEnvironment, SnapshotSourcesEnvironment } from "#monitoring/adapters/function-environments";
import { DynamoDbMetricsHistory } from "#monitoring/adapters/dynamodb-metrics-history";
import { taskViews } from "#tasks/published/task-figures";
import { once } from "#shared/once";

/**
 * Wiring shared by the monitoring handlers. Each piece reads only the variables it needs, on
 * first use, so a function is configured with exactly what it uses and fails at once if one is bad.
 */
export const publisher = once(() => new EventBridgePublisher(eventBridgeClient(), EventBusEnvironment.read().EVENT_BUS_NAME));

/** The read-only ports behind the task, queue and fleet views, for the metrics snapshot. */
export const snapshotSources = once((): SnapshotSources => {
  const env = SnapshotSourcesEnvironment.read();
  const db = dynamoDocumentClient();
  return {
    tasks: taskViews({
      db,
      sqs: sqsClient(),
      tasksTable: env.TASKS_TABLE,
      statsTable: env.TASK_STATS_TABLE,
      queueUrls: env.WORK_QUEUE_URLS,
    }),
    fleet: fleetFigures(db, env.AGENTS_TABLE),
    connections: connectionCount(db, env.CONNECTIONS_TABLE),
  };
});

/** The minute's points, kept by the snapshot and read by `GET /api/metrics/system`. */
export const metricsHistory = once(
  () => new DynamoDbMetricsHistory(dynamoDocumentClient(), MetricsHistoryEnvironment.read().METRICS_HISTORY_TABLE),
);
