import { CfnOutput, Duration, Stack, Validations } from "aws-cdk-lib";
import { HttpMethod } from "aws-cdk-lib/aws-apigatewayv2";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import type * as events from "aws-cdk-lib/aws-events";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { DynamoEventSource, SqsDlq } from "aws-cdk-lib/aws-lambda-event-sources";
import * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { AGENT_TYPES, type AgentType } from "#core/agents/domain/agent-types";
import type { AuthorizedHttpApi } from "../constructs/authorized-http-api";
import { PriorityQueues } from "../constructs/priority-queues";
import { SwarmFunction } from "../constructs/swarm-function";
import { SwarmTable } from "../constructs/swarm-table";
import type { SwarmStackProps } from "./swarm-stack-props";

export interface TasksStackProps extends SwarmStackProps {
  readonly bus: events.IEventBus;
  readonly http: AuthorizedHttpApi;
}

/**
 * The task orchestrator: the tasks table (its stream is the outbox), one set of priority
 * queues per agent type, the submit and read routes, and the relay that turns stored changes
 * into work messages and `TaskUpdated` events.
 */
export class TasksStack extends Stack {
  readonly table: SwarmTable;
  readonly workQueues: Readonly<Record<AgentType, PriorityQueues>>;

  constructor(scope: Construct, id: string, props: TasksStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.table = new SwarmTable(this, "Tasks", {
      config,
      partitionKey: { name: "taskId", type: dynamodb.AttributeType.STRING },
      dynamoStream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    });

    // Agents must extend a message's visibility at least once per heartbeat interval.
    const agentTimeout = Duration.seconds(config.healthCheckInterval);
    this.workQueues = Object.fromEntries(
      AGENT_TYPES.map((type) => [
        type,
        new PriorityQueues(this, `${type}-queues`, { consumerTimeout: agentTimeout, maxReceiveCount: config.maxReceiveCount }),
      ]),
    ) as Record<AgentType, PriorityQueues>;
    const queueUrls = Stack.of(this).toJsonString(
      Object.fromEntries(AGENT_TYPES.map((type) => [type, this.workQueues[type].urls])),
    );

    const submit = new SwarmFunction(this, "SubmitTask", {
      entry: "tasks/submit-task.ts",
      description: "POST /api/tasks: validate and store a task as queued",
      context: "tasks",
      config,
      environment: { TASKS_TABLE: this.table.tableName, MAX_PAYLOAD_BYTES: String(config.maxTaskPayloadBytes) },
    });
    this.table.grant(submit, "PutItem", "GetItem");

    const get = new SwarmFunction(this, "GetTask", {
      entry: "tasks/get-task.ts",
      description: "GET /api/tasks/{taskId}",
      context: "tasks",
      config,
      environment: { TASKS_TABLE: this.table.tableName },
    });
    this.table.grant(get, "GetItem");

    const relayTimeout = Duration.seconds(30);
    const relay = new SwarmFunction(this, "RelayTaskChanges", {
      entry: "tasks/relay-task-changes.ts",
      description: "Tasks table stream: dispatch queued tasks and publish TaskUpdated",
      context: "tasks",
      config,
      timeout: relayTimeout,
      environment: { EVENT_BUS_NAME: props.bus.eventBusName, WORK_QUEUE_URLS: queueUrls },
    });
    for (const type of AGENT_TYPES) this.workQueues[type].grantSend(relay);
    props.bus.grantPutEventsTo(relay);
    const relayFailures = new sqs.Queue(this, "RelayFailures", {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(relayFailures).acknowledge({
      id: "AwsSolutions-SQS3",
      reason: "This queue is itself the failure destination of the relay's stream event source.",
    });
    relay.addEventSource(
      new DynamoEventSource(this.table.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 10,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 10,
        maxRecordAge: Duration.days(1),
        onFailure: new SqsDlq(relayFailures),
      }),
    );

    props.http.addRoute(this, "SubmitTaskRoute", { method: HttpMethod.POST, path: "/api/tasks", handler: submit });
    props.http.addRoute(this, "GetTaskRoute", { method: HttpMethod.GET, path: "/api/tasks/{taskId}", handler: get });

    new CfnOutput(this, "TasksTableName", { value: this.table.tableName });
    new CfnOutput(this, "WorkQueueUrls", { value: queueUrls });
    new CfnOutput(this, "DeadLetterQueueUrls", {
      value: Stack.of(this).toJsonString(
        Object.fromEntries(
          AGENT_TYPES.map((type) => [
            type,
            Object.fromEntries(Object.entries(this.workQueues[type].deadLetterQueues).map(([p, q]) => [p, q.queueUrl])),
          ]),
        ),
      ),
    });
  }
}
