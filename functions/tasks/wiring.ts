import * as z from "zod";
import { dynamoDocumentClient, sqsClient } from "#core/shared/adapters/aws-clients";
import { systemClock } from "#core/shared/clock";
import { jsonEnv, readEnv } from "#core/shared/env";
import { DynamoDbTaskQuery } from "#core/tasks/adapters/dynamodb-task-query";
import { DynamoDbTaskStats } from "#core/tasks/adapters/dynamodb-task-stats";
import { DynamoDbTaskStore } from "#core/tasks/adapters/dynamodb-task-store";
import { QUEUE_URLS } from "#core/tasks/adapters/queue-urls";
import { SqsQueueDepths } from "#core/tasks/adapters/sqs-queue-depths";
import { StatsBackedAdmission, StatsBackedChooser } from "#core/tasks/adapters/stats-backed-scheduling";
import { SchedulingStrategy } from "#core/tasks/domain/scheduling";
import type { SubmitDeps } from "#core/tasks/domain/submit-task";
import type { RetryPolicy } from "#core/tasks/domain/task-state-machine";

/**
 * Wiring shared by the task handlers. Each piece reads only the variables it needs, on first
 * use, so a function is configured with exactly what it uses and fails at once if one is bad.
 */
const once = <T>(make: () => T) => {
  let value: T | undefined;
  return () => (value ??= make());
};

const db = once(() => dynamoDocumentClient());
const tasksTable = once(() => readEnv(z.object({ TASKS_TABLE: z.string().min(1) })).TASKS_TABLE);

export const taskStore = once(() => new DynamoDbTaskStore(db(), tasksTable()));
export const taskQuery = once(() => new DynamoDbTaskQuery(db(), tasksTable()));
export const taskStats = once(
  () => new DynamoDbTaskStats(db(), readEnv(z.object({ TASK_STATS_TABLE: z.string().min(1) })).TASK_STATS_TABLE),
);

export const retryPolicy = once((): RetryPolicy => {
  const env = readEnv(
    z.object({
      RETRY_BASE_DELAY_SECONDS: z.coerce.number().int().min(0),
      RETRY_MAX_DELAY_SECONDS: z.coerce.number().int().min(0).max(900),
      QUEUED_TTL_SECONDS: z.coerce.number().int().positive(),
    }),
  );
  return {
    baseDelaySeconds: env.RETRY_BASE_DELAY_SECONDS,
    maxDelaySeconds: env.RETRY_MAX_DELAY_SECONDS,
    queuedTtlSeconds: env.QUEUED_TTL_SECONDS,
  };
});

export const queueInspector = once(() => {
  // Only the work queues' URLs: with their dead-letter URLs beside them the environment passes Lambda's 4 KB on AWS.
  const env = readEnv(z.object({ WORK_QUEUE_URLS: jsonEnv(QUEUE_URLS) }));
  return new SqsQueueDepths(sqsClient(), env.WORK_QUEUE_URLS);
});

/** What submitting needs: limits, the scheduling strategy, and backpressure. */
export const submitDeps = once((): SubmitDeps => {
  const env = readEnv(
    z.object({
      MAX_PAYLOAD_BYTES: z.coerce.number().int().positive(),
      MAX_QUEUE_DEPTH: z.coerce.number().int().positive(),
      SCHEDULING_STRATEGY: SchedulingStrategy,
    }),
  );
  return {
    store: taskStore(),
    clock: systemClock,
    limits: { maxPayloadBytes: env.MAX_PAYLOAD_BYTES, queuedTtlSeconds: retryPolicy().queuedTtlSeconds },
    chooser: new StatsBackedChooser(taskStats(), env.SCHEDULING_STRATEGY),
    admission: new StatsBackedAdmission(taskStats(), env.MAX_QUEUE_DEPTH),
  };
});
