import * as z from "zod";
import { fleetFigures } from "#agents/published/fleet-figures";
import type { SnapshotSources } from "#monitoring/domain/metrics-snapshot";
import { dynamoDocumentClient, eventBridgeClient, sqsClient } from "#shared/adapters/aws-clients";
import { EventBridgePublisher } from "#shared/adapters/eventbridge-publisher";
import { jsonEnv, readEnv } from "#shared/env";
import { QUEUE_URLS } from "#tasks/published/queue-urls";
import { taskViews } from "#tasks/published/task-figures";
import { once } from "#shared/once";

/**
 * Wiring shared by the monitoring handlers. Each piece reads only the variables it needs, on
 * first use, so a function is configured with exactly what it uses and fails at once if one is bad.
 */
export const publisher = once(
  () => new EventBridgePublisher(eventBridgeClient(), readEnv(z.object({ EVENT_BUS_NAME: z.string().min(1) })).EVENT_BUS_NAME),
);

/** The read-only ports behind the task, queue and fleet views, for the metrics snapshot. */
export const snapshotSources = once((): SnapshotSources => {
  const env = readEnv(
    z.object({
      TASKS_TABLE: z.string().min(1),
      TASK_STATS_TABLE: z.string().min(1),
      AGENTS_TABLE: z.string().min(1),
      WORK_QUEUE_URLS: jsonEnv(QUEUE_URLS),
    }),
  );
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
  };
});
