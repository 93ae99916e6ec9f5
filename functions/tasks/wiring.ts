import * as z from "zod";
import { dynamoDocumentClient, eventBridgeClient, sqsClient } from "#shared/adapters/aws-clients";
import { EventBridgePublisher } from "#shared/adapters/eventbridge-publisher";
import { systemClock } from "#shared/clock";
import { jsonEnv, readEnv } from "#shared/env";
import { DynamoDbTaskQuery } from "#tasks/adapters/dynamodb-task-query";
import { DynamoDbTaskStats } from "#tasks/adapters/dynamodb-task-stats";
import { DynamoDbTaskStore } from "#tasks/adapters/dynamodb-task-store";
import { QUEUE_URLS } from "#tasks/published/queue-urls";
import { SqsQueueDepths } from "#tasks/adapters/sqs-queue-depths";
import { SqsTimerQueue } from "#tasks/adapters/sqs-timer-queue";
import { SqsWorkQueue } from "#tasks/adapters/sqs-work-queue";
import { StatsBackedAdmission, StatsBackedChooser } from "#tasks/adapters/stats-backed-scheduling";
import { SchedulingStrategy } from "#tasks/domain/scheduling";
import type { TimerPorts } from "#tasks/domain/handle-due-timer";
import type { RelayBatchPorts } from "#tasks/domain/relay-batch";
import { InstanceSentLedger } from "#tasks/adapters/instance-sent-ledger";
import type { SweepPorts } from "#tasks/domain/sweeper";
import { DynamoDbStrandedTaskFinder } from "#tasks/adapters/dynamodb-stranded-task-finder";
import { DynamoDbSweepLedger } from "#tasks/adapters/dynamodb-sweep-ledger";
import type { SubmitDeps } from "#tasks/domain/submit-task";
import type { RetryPolicy } from "#tasks/domain/task-state-machine";
import { once } from "#shared/once";

/**
 * Wiring shared by the task handlers. Each piece reads only the variables it needs, on first
 * use, so a function is configured with exactly what it uses and fails at once if one is bad.
 */
const db = once(() => dynamoDocumentClient());
const tasksTable = once(() => readEnv(z.object({ TASKS_TABLE: z.string().min(1) })).TASKS_TABLE);

export const taskStore = once(() => new DynamoDbTaskStore(db(), tasksTable()));
export const taskQuery = once(() => new DynamoDbTaskQuery(db(), tasksTable()));
const statsTableName = once(() => readEnv(z.object({ TASK_STATS_TABLE: z.string().min(1) })).TASK_STATS_TABLE);
export const taskStats = once(() => new DynamoDbTaskStats(db(), statsTableName()));

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
      DIAGNOSTIC_TASKS: z.enum(["enabled", "disabled"]),
    }),
  );
  return {
    store: taskStore(),
    clock: systemClock,
    limits: { maxPayloadBytes: env.MAX_PAYLOAD_BYTES, queuedTtlSeconds: retryPolicy().queuedTtlSeconds },
    chooser: new StatsBackedChooser(taskStats(), env.SCHEDULING_STRATEGY),
    admission: new StatsBackedAdmission(taskStats(), env.MAX_QUEUE_DEPTH),
    diagnosticsEnabled: env.DIAGNOSTIC_TASKS === "enabled",
  };
});

const timerQueue = once(() => new SqsTimerQueue(sqsClient(), readEnv(z.object({ TIMER_QUEUE_URL: z.url() })).TIMER_QUEUE_URL));

/** What the batched outbox relay sends to, and its memory of entries sent for records it handed back. */
export const relayBatchPorts = once((): RelayBatchPorts => {
  const env = readEnv(z.object({ EVENT_BUS_NAME: z.string().min(1), WORK_QUEUE_URLS: jsonEnv(QUEUE_URLS) }));
  return {
    queue: new SqsWorkQueue(sqsClient(), env.WORK_QUEUE_URLS),
    timers: timerQueue(),
    publisher: new EventBridgePublisher(eventBridgeClient(), env.EVENT_BUS_NAME),
    stats: taskStats(),
    sent: new InstanceSentLedger(),
  };
});

const leaseGraceSeconds = once(
  () => readEnv(z.object({ LEASE_GRACE_SECONDS: z.coerce.number().int().min(0) })).LEASE_GRACE_SECONDS,
);

/** What the sweeper reads and sends (ADR 0017): the tasks, their applied markers, the queues, the bus. */
export const sweepPorts = once((): SweepPorts => {
  const env = readEnv(
    z.object({
      EVENT_BUS_NAME: z.string().min(1),
      WORK_QUEUE_URLS: jsonEnv(QUEUE_URLS),
      STRANDED_AFTER_SECONDS: z.coerce.number().int().positive(),
      SWEEP_MAX_TASKS: z.coerce.number().int().positive(),
    }),
  );
  return {
    store: taskStore(),
    finder: new DynamoDbStrandedTaskFinder(db(), tasksTable()),
    relayed: taskStats(),
    ledger: new DynamoDbSweepLedger(db(), statsTableName()),
    queue: new SqsWorkQueue(sqsClient(), env.WORK_QUEUE_URLS),
    timers: timerQueue(),
    publisher: new EventBridgePublisher(eventBridgeClient(), env.EVENT_BUS_NAME),
    settings: {
      policy: retryPolicy(),
      leaseGraceSeconds: leaseGraceSeconds(),
      strandedAfterSeconds: env.STRANDED_AFTER_SECONDS,
      maxTasksPerRun: env.SWEEP_MAX_TASKS,
    },
  };
});

/** What the timer checker reads and writes: the tasks, the timers queue, the retry policy and the lease grace. */
export const timerPorts = once((): TimerPorts => ({
  store: taskStore(),
  timers: timerQueue(),
  policy: retryPolicy(),
  leaseGraceSeconds: leaseGraceSeconds(),
}));
