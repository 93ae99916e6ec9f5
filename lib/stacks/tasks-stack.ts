import { CfnOutput, Duration, Stack, Validations } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as events from "aws-cdk-lib/aws-events";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { AGENT_TYPES, type AgentType } from "#kernel/agent-catalog";
import { FILTER_ATTRIBUTES, SUMMARY_ATTRIBUTES, TASK_INDEXES } from "#tasks/adapters/task-table-layout";
import {
  LeaseGraceEnvironment,
  RetryPolicyEnvironment,
  SubmitEnvironment,
  SweepEnvironment,
  TasksTablesEnvironment,
  TimerQueueEnvironment,
} from "#tasks/adapters/function-environments";
import { type QueueUrls, WorkQueuesEnvironment } from "#tasks/published/queue-urls";
import { TASK_ROUTES } from "#tasks/published/routes";
import { EventBusEnvironment } from "#shared/adapters/eventbridge-publisher";
import { LEASE_HEARTBEATS, retryPolicyOf } from "../config/stage-config";
import { streamOutboxSource } from "../constructs/stream-outbox-source";
import type { AuthorizedHttpApi } from "../constructs/authorized-http-api";
import { FailureQueue } from "../constructs/failure-queue";
import { guardedLambdaTarget } from "../constructs/guarded-lambda-target";
import { GuardedQueue } from "../constructs/guarded-queue";
import { PriorityQueues } from "../constructs/priority-queues";
import { routeFunctions } from "../constructs/route-functions";
import { SwarmFunction } from "../constructs/swarm-function";
import { SwarmTable } from "../constructs/swarm-table";
import type { SwarmStackProps } from "./swarm-stack-props";
import { grantPublish } from "../constructs/grant-publish";
import { EVENT_SOURCES } from "#kernel/bus/domain-event";

export interface TasksStackProps extends SwarmStackProps {
  readonly bus: events.IEventBus;
  readonly http: AuthorizedHttpApi;
}

/** A list index: keyed by `partitionKey`/`sortKey`, carrying the task summary (never payload or result). */
function listIndex(index: { name: string; partitionKey: string; sortKey: string }): dynamodb.GlobalSecondaryIndexPropsV2 {
  return {
    indexName: index.name,
    partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
    sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
    projectionType: dynamodb.ProjectionType.INCLUDE,
    nonKeyAttributes: SUMMARY_ATTRIBUTES.filter((a) => a !== index.partitionKey && a !== index.sortKey),
  };
}

/**
 * The task orchestrator: the tasks table (its stream is the outbox) with its list indexes, the
 * counters behind the views, one set of priority queues per agent type, the timers queue that
 * watches leases and expiries, the relay, and the task routes.
 */
export class TasksStack extends Stack {
  readonly table: SwarmTable;
  readonly stats: SwarmTable;
  readonly workQueues: Readonly<Record<AgentType, PriorityQueues>>;
  /** Where this stack's lost work ends up: each one alarmed (ADR 0017). */
  readonly failureQueues: Readonly<Record<string, sqs.IQueue>>;

  constructor(scope: Construct, id: string, props: TasksStackProps) {
    super(scope, id, props);
    const { config } = props;
    const policy = retryPolicyOf(config);

    this.table = new SwarmTable(this, "Tasks", {
      config,
      partitionKey: { name: "taskId", type: dynamodb.AttributeType.STRING },
      dynamoStream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      globalSecondaryIndexes: [
        listIndex(TASK_INDEXES.byStatus),
        listIndex(TASK_INDEXES.byAgentType),
        listIndex(TASK_INDEXES.recent),
        ...[TASK_INDEXES.recentUpdated, TASK_INDEXES.byPriority].map((index) => ({
          indexName: index.name,
          partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
          sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
          projectionType: dynamodb.ProjectionType.INCLUDE,
          nonKeyAttributes: [...FILTER_ATTRIBUTES],
        })),
        {
          indexName: TASK_INDEXES.queued.name,
          partitionKey: { name: TASK_INDEXES.queued.partitionKey, type: dynamodb.AttributeType.STRING },
          sortKey: { name: TASK_INDEXES.queued.sortKey, type: dynamodb.AttributeType.STRING },
          projectionType: dynamodb.ProjectionType.KEYS_ONLY,
        },
      ],
    });
    this.stats = new SwarmTable(this, "TaskStats", {
      config,
      partitionKey: { name: "pk", type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: "expiresAt",
    });

    // Agents renew their claim and extend a message's visibility once per heartbeat interval.
    const agentTimeout = Duration.seconds(config.healthCheckInterval);
    this.workQueues = Object.fromEntries(
      AGENT_TYPES.map((type) => [
        type,
        new PriorityQueues(this, `${type}-queues`, { consumerTimeout: agentTimeout, maxReceiveCount: config.maxReceiveCount }),
      ]),
    ) as Record<AgentType, PriorityQueues>;
    const queueUrls = this.toJsonString(Object.fromEntries(AGENT_TYPES.map((type) => [type, this.workQueues[type].urls])));
    const workQueues = WorkQueuesEnvironment.toEnvironment({
      WORK_QUEUE_URLS: Object.fromEntries(AGENT_TYPES.map((type) => [type, this.workQueues[type].urls])) as QueueUrls,
    });
    const bus = EventBusEnvironment.toEnvironment({ EVENT_BUS_NAME: props.bus.eventBusName });
    const deadLetterUrls = this.toJsonString(
      Object.fromEntries(AGENT_TYPES.map((type) => [type, this.workQueues[type].deadLetterUrls])),
    );

    const checkerTimeout = Duration.seconds(30);
    const timers = new GuardedQueue(this, "TaskTimers", {
      consumerTimeout: checkerTimeout,
      maxReceiveCount: config.maxReceiveCount,
    });

    const environment = {
      ...TasksTablesEnvironment.toEnvironment({ TASKS_TABLE: this.table.tableName, TASK_STATS_TABLE: this.stats.tableName }),
      ...RetryPolicyEnvironment.toEnvironment({
        RETRY_BASE_DELAY_SECONDS: policy.baseDelaySeconds,
        RETRY_MAX_DELAY_SECONDS: policy.maxDelaySeconds,
        QUEUED_TTL_SECONDS: policy.queuedTtlSeconds,
      }),
    };
    const fn = (id: string, entry: string, description: string, extra: Record<string, string> = {}, timeout?: Duration) =>
      new SwarmFunction(this, id, {
        entry: `tasks/${entry}`,
        description,
        context: "tasks",
        config,
        timeout,
        environment: { ...environment, ...extra },
      });
    const submitEnvironment = SubmitEnvironment.toEnvironment({
      MAX_PAYLOAD_BYTES: config.maxTaskPayloadBytes,
      MAX_QUEUE_DEPTH: config.maxQueueDepth,
      SCHEDULING_STRATEGY: config.schedulingStrategy,
      DIAGNOSTIC_TASKS: config.diagnosticTasks ? "enabled" : "disabled",
    });
    const timerQueue = TimerQueueEnvironment.toEnvironment({ TIMER_QUEUE_URL: timers.queue.queueUrl });

    const api = routeFunctions(this, TASK_ROUTES, {
      config,
      context: "tasks",
      environment,
      environmentOf: {
        submitTask: submitEnvironment,
        submitTasksBatch: submitEnvironment,
        getTaskQueues: workQueues,
      },
      // The bulk routes work through up to a few hundred tasks one at a time.
      timeoutOf: {
        submitTasksBatch: Duration.seconds(29),
        cancelTasks: Duration.seconds(29),
        redriveDeadLetters: Duration.seconds(29),
      },
    });
    for (const f of [api.submitTask, api.submitTasksBatch]) {
      this.table.grant(f, "PutItem", "GetItem");
      this.stats.grant(f, "GetItem", "BatchGetItem", "UpdateItem");
    }
    // A batch reads its items' earlier tasks (their idempotency keys) in one BatchGetItem.
    this.table.grant(api.submitTasksBatch, "BatchGetItem");
    this.table.grant(api.getTask, "GetItem");
    for (const f of [api.listTasks, api.listDeadLetters]) this.table.grant(f, "Query", "BatchGetItem");
    // The list's total comes from the per-type counters: one row (GetItem) or every type's (BatchGetItem).
    this.stats.grant(api.listTasks, "GetItem", "BatchGetItem");
    this.stats.grant(api.getTaskStatus, "BatchGetItem");
    this.table.grant(api.getTaskQueues, "Query");
    for (const type of AGENT_TYPES) this.workQueues[type].grantReadAttributes(api.getTaskQueues);
    this.table.grant(api.cancelTask, "UpdateItem", "GetItem");
    this.table.grant(api.cancelTasks, "UpdateItem", "GetItem", "Query");
    this.table.grant(api.redriveDeadLetters, "UpdateItem", "GetItem");
    props.http.addRoutes(this, TASK_ROUTES, api);

    const relay = fn(
      "RelayTaskChanges",
      "relay-task-changes.ts",
      "Tasks stream: dispatch, timers, TaskUpdated and alerts, counters",
      { ...bus, ...workQueues, ...timerQueue },
      Duration.seconds(30),
    );
    for (const type of AGENT_TYPES) this.workQueues[type].grantSend(relay);
    timers.queue.grantSendMessages(relay);
    grantPublish(props.bus, relay, EVENT_SOURCES.tasks);
    // A delta is one transaction: the version's marker (Put, if absent) and the ADDs (Update).
    this.stats.grant(relay, "PutItem", "UpdateItem");
    const relayFailures = new FailureQueue(this, "RelayFailures", {
      holds: "pointers to tasks-stream records the relay could not process in 10 retries",
    });
    relay.addEventSource(
      // The relay batches every hop (ADR 0018): a larger batch is fewer, fuller calls.
      streamOutboxSource(this.table, { failures: relayFailures, batchSize: 100, maxRecordAge: Duration.days(1) }),
    );

    const leaseGrace = LeaseGraceEnvironment.toEnvironment({
      LEASE_GRACE_SECONDS: config.healthCheckInterval * LEASE_HEARTBEATS,
    });
    const checker = fn(
      "CheckTaskTimers",
      "check-task-timers.ts",
      "Timers: time out lapsed claims, retry or dead-letter timed-out attempts, expire stale queued tasks",
      { ...timerQueue, ...leaseGrace },
      checkerTimeout,
    );
    this.table.grant(checker, "GetItem", "UpdateItem");
    timers.queue.grantSendMessages(checker);
    checker.addEventSource(new SqsEventSource(timers.queue, { batchSize: 10, reportBatchItemFailures: true }));
    Validations.of(checker).acknowledge({
      id: "Serverless-LambdaEventSourceMappingDestination",
      reason:
        "An SQS event source takes no on-failure destination: a message that fails maxReceiveCount times moves to the queue's own dead-letter queue, whose depth is alarmed.",
    });

    // The sweeper (ADR 0017): the backstop for a relay that ran out of retries and timers that were lost.
    const sweeper = new SwarmFunction(this, "SweepStrandedTasks", {
      entry: "tasks/sweep-stranded-tasks.ts",
      description: "Every minute: re-dispatch queued tasks never relayed, time out and recover tasks whose timers were lost",
      context: "tasks",
      config,
      timeout: Duration.seconds(50),
      // Runs must not overlap: two would read the same candidates (harmless, but twice the work).
      reservedConcurrency: 1,
      environment: {
        ...environment,
        ...bus,
        ...workQueues,
        ...timerQueue,
        ...leaseGrace,
        ...SweepEnvironment.toEnvironment({
          STRANDED_AFTER_SECONDS: config.strandedAfterSeconds,
          SWEEP_MAX_TASKS: config.sweepMaxTasks,
        }),
      },
    });
    this.table.grant(sweeper, "GetItem", "UpdateItem", "Query");
    // Reads the counters' applied markers (GetItem) and records its own re-dispatches (PutItem).
    this.stats.grant(sweeper, "GetItem", "PutItem");
    for (const type of AGENT_TYPES) this.workQueues[type].grantSend(sweeper);
    timers.queue.grantSendMessages(sweeper);
    grantPublish(props.bus, sweeper, EVENT_SOURCES.tasks);
    const sweepFailures = new FailureQueue(this, "SweepFailures", { holds: "sweeper runs that failed or were never delivered" });
    new events.Rule(this, "SweeperSchedule", {
      description: "Runs the stranded-task sweeper",
      schedule: events.Schedule.rate(Duration.minutes(1)),
      enabled: config.autoSweep,
      // A failed run is retried by the next one a minute later; the failure is kept and alarmed.
      targets: [guardedLambdaTarget(sweeper, { failures: sweepFailures, retryAttempts: 0, maxEventAge: Duration.minutes(5) })],
    });
    this.failureQueues = { relayFailures, timerDeadLetters: timers.deadLetterQueue, sweepFailures };

    new CfnOutput(this, "TasksTableName", { value: this.table.tableName });
    new CfnOutput(this, "SweeperFunctionName", { value: sweeper.functionName });
    new CfnOutput(this, "RelayFunctionName", { value: relay.functionName });
    new CfnOutput(this, "TimerCheckerFunctionName", { value: checker.functionName });
    new CfnOutput(this, "TaskStatsTableName", { value: this.stats.tableName });
    new CfnOutput(this, "TimerQueueUrl", { value: timers.queue.queueUrl });
    new CfnOutput(this, "WorkQueueUrls", { value: queueUrls });
    new CfnOutput(this, "DeadLetterQueueUrls", { value: deadLetterUrls });
  }
}
