import * as z from "zod";
import { DynamoDbAgentRegistry } from "#core/agents/adapters/dynamodb-agent-registry";
import { SqsQueueDepths } from "#core/tasks/adapters/sqs-queue-depths";
import type { SnapshotSources } from "#core/monitoring/domain/metrics-snapshot";
import { dynamoDocumentClient, eventBridgeClient, sqsClient } from "#core/shared/adapters/aws-clients";
import { EventBridgePublisher } from "#core/shared/adapters/eventbridge-publisher";
import { jsonEnv, readEnv } from "#core/shared/env";
import { DynamoDbTaskQuery } from "#core/tasks/adapters/dynamodb-task-query";
import { DynamoDbTaskStats } from "#core/tasks/adapters/dynamodb-task-stats";
import { QUEUE_URLS } from "#core/tasks/adapters/queue-urls";

/**
 * Wiring shared by the monitoring handlers. Each piece reads only the variables it needs, on
 * first use, so a function is configured with exactly what it uses and fails at once if one is bad.
 */
const once = <T>(make: () => T) => {
  let value: T | undefined;
  return () => (value ??= make());
};

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
    taskStats: new DynamoDbTaskStats(db, env.TASK_STATS_TABLE),
    taskQuery: new DynamoDbTaskQuery(db, env.TASKS_TABLE),
    queueInspector: new SqsQueueDepths(sqsClient(), env.WORK_QUEUE_URLS),
    registry: new DynamoDbAgentRegistry(db, env.AGENTS_TABLE),
  };
});
