import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import * as sns from "aws-cdk-lib/aws-sns";
import { EmailSubscription, LambdaSubscription, UrlSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { Construct } from "constructs";
import { AGENT_INDEXES } from "#agents/adapters/dynamodb-agent-registry";
import { AGENT_TYPES, type AgentType } from "#kernel/agent-catalog";
import { deadLetterAlarmName } from "#monitoring/domain/alarm-alerts";
import {
  HealthProbesEnvironment,
  MetricsHistoryEnvironment,
  SnapshotSourcesEnvironment,
} from "#monitoring/adapters/function-environments";
import { CONNECTIONS_COUNT_INDEX } from "#realtime/published/connection-count";
import { EventBusEnvironment } from "#shared/adapters/eventbridge-publisher";
import { EVENT_SOURCES } from "#kernel/bus/domain-event";
import { METRICS_SNAPSHOT } from "#kernel/bus/metrics-snapshot";
import type { QueueUrls } from "#tasks/published/queue-urls";
import { TASK_INDEXES } from "#tasks/adapters/task-table-layout";
import type { AuthorizedHttpApi } from "../constructs/authorized-http-api";
import type { PriorityQueues } from "../constructs/priority-queues";
import { SwarmTable } from "../constructs/swarm-table";
import { FailureQueue } from "../constructs/failure-queue";
import { guardedLambdaTarget } from "../constructs/guarded-lambda-target";
import { alarmTopicName } from "../constructs/failure-alarms";
import { SwarmFunction } from "../constructs/swarm-function";
import type { SwarmStackProps } from "./swarm-stack-props";
import { PRIORITIES, type Priority } from "#kernel/task-vocabulary";
import { MONITORING_ROUTES } from "#monitoring/published/routes";
import { routeFunctions } from "../constructs/route-functions";
import { grantPublish } from "../constructs/grant-publish";

export interface MonitoringStackProps extends SwarmStackProps {
  readonly http: AuthorizedHttpApi;
  readonly bus: events.IEventBus;
  readonly tasksTable: SwarmTable;
  /** The counters behind `GET /api/tasks/status`. */
  readonly taskStats: SwarmTable;
  /** The agent registry behind `GET /api/agents/status`. */
  readonly agentsTable: SwarmTable;
  readonly connectionsTable: SwarmTable;
  readonly workQueues: Readonly<Record<AgentType, PriorityQueues>>;
}

/**
 * How the swarm is doing: the open health route; a metrics snapshot on the bus every minute
 * (the dashboard's `metrics`); and an alarm on every work queue's dead-letter queue, whose state
 * changes reach the dashboard as `system_alert` through an encrypted topic and a relay.
 */
export class MonitoringStack extends Stack {
  /** Where every alarm here notifies, on ALARM and on OK. */
  readonly alarmTopic: sns.Topic;
  readonly deadLetterAlarms: Readonly<Record<AgentType, Readonly<Record<Priority, cloudwatch.Alarm>>>>;
  /** The minute's metrics points (`GET /api/metrics/system`). */
  readonly metricsHistory: SwarmTable;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const workQueueUrls = Object.fromEntries(AGENT_TYPES.map((type) => [type, props.workQueues[type].urls])) as QueueUrls;
    const bus = EventBusEnvironment.toEnvironment({ EVENT_BUS_NAME: props.bus.eventBusName });

    // The minute's points behind GET /api/metrics/system: one partition sorted by time, dropped by TTL after 25 hours.
    this.metricsHistory = new SwarmTable(this, "MetricsHistory", {
      config,
      partitionKey: { name: "series", type: dynamodb.AttributeType.STRING },
      sortKey: { name: "at", type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: "expiresAt",
    });
    const history = MetricsHistoryEnvironment.toEnvironment({ METRICS_HISTORY_TABLE: this.metricsHistory.tableName });

    const api = routeFunctions(this, MONITORING_ROUTES, {
      config,
      context: "monitoring",
      environmentOf: {
        getHealth: HealthProbesEnvironment.toEnvironment({
          TASKS_TABLE: props.tasksTable.tableName,
          CONNECTIONS_TABLE: props.connectionsTable.tableName,
          EVENT_BUS_NAME: props.bus.eventBusName,
          WORK_QUEUE_URLS: workQueueUrls,
        }),
        getSystemMetrics: history,
      },
    });
    this.metricsHistory.grant(api.getSystemMetrics, "Query");
    const health = api.getHealth;
    props.tasksTable.grant(health, "DescribeTable");
    props.connectionsTable.grant(health, "DescribeTable");
    for (const type of AGENT_TYPES) props.workQueues[type].grantReadAttributes(health);
    health.addToRolePolicy(new iam.PolicyStatement({ actions: ["events:DescribeEventBus"], resources: [props.bus.eventBusArn] }));

    props.http.addRoutes(this, MONITORING_ROUTES, api);

    // ── Metrics snapshot: every minute, read-only on what it reads, PutEvents on the bus ──
    const snapshot = new SwarmFunction(this, "PublishMetricsSnapshot", {
      entry: "monitoring/publish-metrics-snapshot.ts",
      description: "Every minute: task counts and timings, queue depths and agents by status, as one MetricsSnapshot event",
      context: "monitoring",
      config,
      timeout: Duration.seconds(30),
      environment: {
        ...SnapshotSourcesEnvironment.toEnvironment({
          TASKS_TABLE: props.tasksTable.tableName,
          TASK_STATS_TABLE: props.taskStats.tableName,
          AGENTS_TABLE: props.agentsTable.tableName,
          // Dead-letter queues are found through each work queue's redrive policy: both URL sets would not fit in 4 KB.
          WORK_QUEUE_URLS: workQueueUrls,
          CONNECTIONS_TABLE: props.connectionsTable.tableName,
        }),
        ...bus,
      },
    });
    props.taskStats.grant(snapshot, "BatchGetItem");
    // Query on the one index each read uses (oldest queued task, agents by type), not on the tables.
    const queryIndex = (table: SwarmTable, index: string) =>
      iam.Grant.addToPrincipal({
        grantee: snapshot,
        actions: ["dynamodb:Query"],
        resourceArns: [`${table.table.tableArn}/index/${index}`],
      });
    queryIndex(props.tasksTable, TASK_INDEXES.queued.name);
    queryIndex(props.agentsTable, AGENT_INDEXES.byType);
    queryIndex(props.connectionsTable, CONNECTIONS_COUNT_INDEX);
    // One statement for all forty queues: forty of them (as grantReadAttributes writes them) push the role's
    // inline policy past its size limit, into overflow policies.
    iam.Grant.addToPrincipal({
      grantee: snapshot,
      actions: ["sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
      resourceArns: AGENT_TYPES.flatMap((type) =>
        PRIORITIES.flatMap((p) => [
          props.workQueues[type].queues[p].queueArn,
          props.workQueues[type].deadLetterQueues[p].queueArn,
        ]),
      ),
    });
    grantPublish(props.bus, snapshot, EVENT_SOURCES.monitoring);
    new events.Rule(this, "MetricsSnapshotSchedule", {
      description: "Publishes the swarm's metrics snapshot for the dashboard",
      schedule: events.Schedule.rate(Duration.minutes(1)),
      // A missed snapshot is superseded by the next one a minute later: no retries, but the failure is kept.
      targets: [
        guardedLambdaTarget(snapshot, {
          failures: new FailureQueue(this, "SnapshotFailures", {
            holds: "metrics-snapshot runs that failed or were never delivered",
          }),
          retryAttempts: 0,
          maxEventAge: Duration.minutes(5),
        }),
      ],
    });

    // ── Each snapshot on the bus kept as the minute's point (GET /api/metrics/system) ──
    const record = new SwarmFunction(this, "RecordMetricsPoint", {
      entry: "monitoring/record-metrics-point.ts",
      description: "MetricsSnapshot: keep the minute's point for GET /api/metrics/system",
      context: "monitoring",
      config,
      environment: history,
    });
    this.metricsHistory.grant(record, "PutItem");
    new events.Rule(this, "MetricsSnapshotsToHistory", {
      description: "Each metrics snapshot is kept as a point of the system metrics history",
      eventBus: props.bus,
      eventPattern: { source: [EVENT_SOURCES.monitoring], detailType: [METRICS_SNAPSHOT] },
      // A point lost is a gap in a chart, not lost work; still kept and alarmed, never dropped unseen.
      targets: [
        guardedLambdaTarget(record, {
          failures: new FailureQueue(this, "MetricsPointFailures", {
            holds: "metrics snapshots that could not be kept as points",
          }),
          retryAttempts: 2,
          maxEventAge: Duration.minutes(10),
        }),
      ],
    });

    // ── Alarms → encrypted topic → relay → SystemAlert on the bus ──
    // A customer managed key: CloudWatch cannot publish to a topic under the AWS managed SNS key.
    const topicKey = new kms.Key(this, "AlarmTopicKey", {
      description: "Encrypts the TGE Swarm alarm topic",
      enableKeyRotation: true,
      removalPolicy,
    });
    topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: "CloudWatchAlarmsPublish",
        principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"],
      }),
    );
    this.alarmTopic = new sns.Topic(this, "AlarmTopic", {
      // Named: every stack's failure alarms notify it by name (a reference would be a cycle).
      topicName: alarmTopicName(config.stage),
      displayName: `TGE Swarm ${config.stage} alarms`,
      masterKey: topicKey,
      enforceSSL: true,
    });
    // The topic's policy replaces SNS's default one, so CloudWatch needs its own grant; only this account's alarms.
    this.alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: "CloudWatchAlarmsOfThisAccount",
        principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["sns:Publish"],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          StringEquals: { "aws:SourceAccount": this.account },
          ArnLike: {
            "aws:SourceArn": this.formatArn({
              service: "cloudwatch",
              resource: "alarm",
              resourceName: "*",
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );

    // What the relay could not take (unreadable, or the bus refused it after retries), kept for two weeks.
    const relayFailures = new FailureQueue(this, "AlarmRelayFailures", {
      holds: "alarm notifications the relay or its SNS subscription could not deliver",
    });
    const relay = new SwarmFunction(this, "RelayAlarm", {
      entry: "monitoring/relay-alarm.ts",
      description: "Alarm topic: each CloudWatch alarm state change becomes a SystemAlert on the bus",
      context: "monitoring",
      config,
      environment: bus,
    });
    grantPublish(props.bus, relay, EVENT_SOURCES.monitoring);
    relay.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(relayFailures),
    });
    this.alarmTopic.addSubscription(new LambdaSubscription(relay, { deadLetterQueue: relayFailures }));
    // The stage's people and tools: each alarm's ALARM and OK, by email or to a webhook (ADR 0017).
    // A notification SNS could not deliver after its retries is kept with the relay's, not dropped.
    for (const address of config.alarmEmails)
      this.alarmTopic.addSubscription(new EmailSubscription(address, { deadLetterQueue: relayFailures }));
    for (const url of config.alarmWebhooks)
      this.alarmTopic.addSubscription(
        new UrlSubscription(url, { protocol: sns.SubscriptionProtocol.HTTPS, deadLetterQueue: relayFailures }),
      );

    const notify = new SnsAction(this.alarmTopic);
    this.deadLetterAlarms = Object.fromEntries(
      AGENT_TYPES.map((agentType) => [
        agentType,
        Object.fromEntries(
          PRIORITIES.map((priority) => {
            const alarm = props.workQueues[agentType].deadLetterQueues[priority]
              .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM })
              .createAlarm(this, `DeadLetters-${agentType}-${priority}`, {
                alarmName: deadLetterAlarmName(config.stage, agentType, priority),
                alarmDescription: `Messages wait on the dead-letter queue of ${agentType}/${priority} work (see GET /api/tasks/queue)`,
                threshold: 1,
                comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                evaluationPeriods: 1,
                // SQS stops reporting an idle queue's metrics: no data means no dead letters.
                treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
              });
            alarm.addAlarmAction(notify);
            alarm.addOkAction(notify);
            return [priority, alarm];
          }),
        ),
      ]),
    ) as Record<AgentType, Record<Priority, cloudwatch.Alarm>>;

    new CfnOutput(this, "MetricsSnapshotFunctionName", { value: snapshot.functionName });
    new CfnOutput(this, "MetricsHistoryTableName", { value: this.metricsHistory.tableName });
    new CfnOutput(this, "AlarmRelayFunctionName", { value: relay.functionName });
    new CfnOutput(this, "AlarmTopicArn", { value: this.alarmTopic.topicArn });
    new CfnOutput(this, "AlarmRelayFailuresQueueUrl", { value: relayFailures.queueUrl });
    new CfnOutput(this, "DeadLetterAlarmNames", {
      value: this.toJsonString(
        Object.fromEntries(
          AGENT_TYPES.map((type) => [
            type,
            Object.fromEntries(PRIORITIES.map((p) => [p, this.deadLetterAlarms[type][p].alarmName])),
          ]),
        ),
      ),
    });
  }
}
