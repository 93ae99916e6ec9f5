import { dynamoDocumentClient, eventBridgeClient, sqsClient } from "#shared/adapters/aws-clients";
import { EventBridgePublisher, EventBusEnvironment } from "#shared/adapters/eventbridge-publisher";
import { systemClock } from "#shared/clock";
import { DynamoDbTaskQuery } from "#tasks/adapters/dynamodb-task-query";
import { DynamoDbTaskStats } from "#tasks/adapters/dynamodb-task-stats";
import { DynamoDbTaskStore } from "#tasks/adapters/dynamodb-task-store";
import { WorkQueuesEnvironment } from "#tasks/published/queue-urls";
import {
  LeaseGraceEnvironment,
  RetryPolicyEnvironment,
  SubmitEnvironment,
  SweepEnvironment,
  TasksTablesEnvironment,
  TimerQueueEnvironment,
} from "#tasks/adapters/function-environments";
import { SqsQueueDepths } from "#tasks/adapters/sqs-queue-depths";
import { SqsTimerQueue } from "#tasks/adapters/sqs-timer-queue";
import { SqsWorkQueue } from "#tasks/adapters/sqs-work-queue";
import { StatsBackedAdmission, StatsBackedChooser } from "#tasks/adapters/stats-backed-scheduling";
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
const tables = once(() => TasksTablesEnvironment.read());
const tasksTable = () => tables().TASKS_TABLE;

export const taskStore = once(() => new DynamoDbTaskStore(db(), tasksTable()));
export const taskQuery = once(() => new DynamoDbTaskQuery(db(), tasksTable()));
const statsTableName = () => tables().TASK_STATS_TABLE;
export const taskStats = once(() => new DynamoDbTaskStats(db(), statsTableName()));

export const retryPolicy = once((): RetryPolicy => {
  const env = RetryPolicyEnvironment.read();
  return {
    baseDelaySeconds: env.RETRY_BASE_DELAY_SECONDS,
    maxDelaySeconds: env.RETRY_MAX_DELAY_SECONDS,
    queuedTtlSeconds: env.QUEUED_TTL_SECONDS,
  };
});

export const queueInspector = once(() => {
  // Only the work queues' URLs: with their dead-letter URLs beside them the environment passes Lambda's 4 KB on AWS.
  const env = WorkQueuesEnvironment.read();
  return new SqsQueueDepths(sqsClient(), env.WORK_QUEUE_URLS);
});

/** Backpressure from the task counters. */
export const queueAdmission = once(() => new StatsBackedAdmission(taskStats(), SubmitEnvironment.read().MAX_QUEUE_DEPTH));

/** What submitting needs: limits, the scheduling strategy, and backpressure. */
export const submitDeps = once((): SubmitDeps => {
  const env = SubmitEnvironment.read();
  return {
    store: taskStore(),
    clock: systemClock,
    limits: { maxPayloadBytes: env.MAX_PAYLOAD_BYTES, queuedTtlSeconds: retryPolicy().queuedTtlSeconds },
    chooser: new StatsBackedChooser(taskStats(), env.SCHEDULING_STRATEGY),
    admission: queueAdmission(),
    diagnosticsEnabled: env.DIAGNOSTIC_TASKS === "enabled",
  };
});

const timerQueue = once(() => new SqsTimerQueue(sqsClient(), TimerQueueEnvironment.read().TIMER_QUEUE_URL));

/** What the batched outbox relay sends to, and its memory of entries sent for records it handed back. */
export const relayBatchPorts = once((): RelayBatchPorts => {
  const env = EventBusEnvironment.and(WorkQueuesEnvironment).read();
  return {
    queue: new SqsWorkQueue(sqsClient(), env.WORK_QUEUE_URLS),
    timers: timerQueue(),
    publisher: new EventBridgePublisher(eventBridgeClient(), env.EVENT_BUS_NAME),
    stats: taskStats(),
    sent: new InstanceSentLedger(),
  };
});

const leaseGraceSeconds = once(() => LeaseGraceEnvironment.read().LEASE_GRACE_SECONDS);

/** What the sweeper reads and sends (ADR 0017): the tasks, their applied markers, the queues, the bus. */
export const sweepPorts = once((): SweepPorts => {
  const env = EventBusEnvironment.and(WorkQueuesEnvironment).and(SweepEnvironment).read();
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
