import { Duration, Stack } from "aws-cdk-lib";
import type * as apigw from "aws-cdk-lib/aws-apigatewayv2";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as sns from "aws-cdk-lib/aws-sns";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct, type IConstruct } from "constructs";
import { PriorityQueues } from "./priority-queues";
import { SwarmFunction } from "./swarm-function";

/**
 * The alarm topic's name. Every stack's alarms notify it by this name, which needs no
 * cross-stack reference: the monitoring stack (which owns the topic) depends on the others,
 * so a reference back would be a cycle.
 */
export const alarmTopicName = (stage: string) => `tge-swarm-${stage}-alarms`;

/** A stream consumer whose oldest unprocessed record is older than this is falling behind. */
export const ITERATOR_AGE_ALARM_MS = 60_000;
/** HTTP API answers slower than this at p95 over three 5-minute periods. */
export const HTTP_P95_ALARM_MS = 1_000;

export interface FailureAlarmsProps {
  readonly stage: string;
}

/**
 * An alarm on every failure path of one stack (ADR 0017), each notifying the stage's alarm topic
 * on ALARM and on OK, where the alarm relay turns it into a `SystemAlert` for the dashboard and
 * the stage's subscriptions (email, webhook) get it:
 *
 *   what                                                  metric                         alarm at
 *   every failure or dead-letter queue (no redrive of its  ApproximateNumberOfMessages… ≥ 1 (1 min)
 *     own; work queues' dead letters are the monitoring
 *     stack's, by agent type and priority)
 *   every function                                        Errors, Throttles              ≥ 1 (5 min)
 *   every stream consumer                                 IteratorAge (max)              ≥ 60 s (1 min)
 *
 * Construct after the stack is complete: it alarms what the stack holds when it is made.
 *
 * @example
 * new FailureAlarms(stacks.tasks, "FailureAlarms", { stage: "dev" });
 */
export class FailureAlarms extends Construct {
  /** Every alarm made, by what it watches (`queue:<path>`, `errors:<path>`, …). */
  readonly alarms = new Map<string, cloudwatch.Alarm>();
  private readonly action: SnsAction;

  constructor(scope: Stack, id: string, props: FailureAlarmsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.action = new SnsAction(
      sns.Topic.fromTopicArn(
        this,
        "AlarmTopic",
        stack.formatArn({ service: "sns", resource: alarmTopicName(props.stage), arnFormat: undefined }),
      ),
    );
    const all = scope.node.findAll();
    const workDeadLetters = new Set(
      all.flatMap((c) => (c instanceof PriorityQueues ? Object.values(c.deadLetterQueues).map((q) => q.node.path) : [])),
    );
    for (const queue of all.filter((c): c is sqs.Queue => c instanceof sqs.Queue)) {
      const cfn = queue.node.defaultChild as sqs.CfnQueue;
      if (cfn.redrivePolicy !== undefined || workDeadLetters.has(queue.node.path)) continue;
      this.add(`queue:${queue.node.path}`, queue, {
        metric: queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: 1,
        description: `Messages wait on ${queue.node.path}: work or events that could not be delivered or processed`,
      });
    }
    const streamConsumers = new Set(
      all.flatMap((c) =>
        c instanceof lambda.CfnEventSourceMapping && c.startingPosition !== undefined
          ? [JSON.stringify(stack.resolve(c.functionName))]
          : [],
      ),
    );
    for (const fn of all.filter((c): c is SwarmFunction => c instanceof SwarmFunction)) {
      const period = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
      this.add(`errors:${fn.node.path}`, fn, {
        metric: fn.metricErrors(period),
        threshold: 1,
        description: `${fn.node.path} failed (see its log group)`,
      });
      this.add(`throttles:${fn.node.path}`, fn, {
        metric: fn.metricThrottles(period),
        threshold: 1,
        description: `${fn.node.path} was throttled: its concurrency (or the account's) ran out`,
      });
      if (streamConsumers.has(JSON.stringify(stack.resolve(fn.functionName)))) {
        this.add(`iterator-age:${fn.node.path}`, fn, {
          metric: fn.metric("IteratorAge", { period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
          threshold: ITERATOR_AGE_ALARM_MS,
          description: `${fn.node.path} is behind its stream by a minute or more: changes are not being relayed`,
        });
      }
    }
  }

  /** Alarms on an HTTP API's server errors and its p95 latency. */
  watchHttpApi(api: apigw.HttpApi): this {
    this.add(`http-5xx:${api.node.path}`, api, {
      metric: api.metricServerError({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 5,
      description: "The HTTP API answered 5xx five or more times in 5 minutes",
    });
    this.add(`http-p95:${api.node.path}`, api, {
      metric: api.metricLatency({ period: Duration.minutes(5), statistic: cloudwatch.Stats.p(95) }),
      threshold: HTTP_P95_ALARM_MS,
      evaluationPeriods: 3,
      description: `The HTTP API's p95 latency stayed above ${HTTP_P95_ALARM_MS} ms for 15 minutes`,
    });
    return this;
  }

  /** Alarms on a WebSocket API's integration and execution errors. */
  watchWebSocketApi(api: apigw.WebSocketApi, stage: apigw.WebSocketStage): this {
    for (const metricName of ["IntegrationError", "ExecutionError"]) {
      this.add(`ws-${metricName}:${api.node.path}`, api, {
        metric: new cloudwatch.Metric({
          namespace: "AWS/ApiGateway",
          metricName,
          dimensionsMap: { ApiId: api.apiId, Stage: stage.stageName },
          period: Duration.minutes(5),
          statistic: cloudwatch.Stats.SUM,
        }),
        threshold: 1,
        description: `The WebSocket API reported ${metricName} (a route's function failed or could not be invoked)`,
      });
    }
    return this;
  }

  private add(
    key: string,
    watched: IConstruct,
    options: { metric: cloudwatch.IMetric; threshold: number; description: string; evaluationPeriods?: number },
  ): void {
    const alarm = new cloudwatch.Alarm(this, `${key.split(":")[0]}-${watched.node.addr.slice(0, 12)}`, {
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      // No data is no failure: idle queues and functions stop reporting.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: options.description,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.set(key, alarm);
  }
}
