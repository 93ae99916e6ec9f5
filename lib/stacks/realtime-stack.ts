import { CfnOutput, Duration, RemovalPolicy, Stack, Token, Validations } from "aws-cdk-lib";
import * as apigw from "aws-cdk-lib/aws-apigatewayv2";
import { WebSocketLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import * as logs from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { BY_SK_INDEX } from "#realtime/adapters/dynamodb-connection-store";
import {
  CallbackEnvironment,
  ConnectEnvironment,
  EventHistoryEnvironment,
  EventsTableEnvironment,
  PresenceQueueEnvironment,
  RateLimitEnvironment,
} from "#realtime/adapters/function-environments";
import { ConnectionsTableEnvironment } from "#realtime/published/connections-environment";
import { SERVER_EVENT_TYPE_OF } from "#realtime/domain/server-events";
import { REALTIME_ROUTES } from "#realtime/published/routes";
import { EventBusEnvironment } from "#shared/adapters/eventbridge-publisher";
import type { AuthorizedHttpApi } from "../constructs/authorized-http-api";
import { routeFunctions } from "../constructs/route-functions";
import { GuardedQueue } from "../constructs/guarded-queue";
import { FailureQueue } from "../constructs/failure-queue";
import { SwarmFunction } from "../constructs/swarm-function";
import { SwarmTable } from "../constructs/swarm-table";
import type { SwarmStackProps } from "./swarm-stack-props";
import { grantPublish } from "../constructs/grant-publish";
import { EVENT_SOURCES } from "#kernel/bus/domain-event";
import { acknowledgeGrant } from "../constructs/acknowledge-grant";

export interface RealtimeStackProps extends SwarmStackProps {
  readonly bus: events.IEventBus;
  readonly http: AuthorizedHttpApi;
  /** Issuer of the Cognito access tokens clients connect with. */
  readonly issuer: string;
  readonly userPoolClientId: string;
}

/**
 * The live dashboard's back end: the WebSocket API (its `$connect` verifies the caller's JWT),
 * the connection, subscription and room index, the event history clients replay from, the
 * broadcaster that relays bus events to subscribers, and the WebSocket management routes.
 */
export class RealtimeStack extends Stack {
  readonly connectionsTable: SwarmTable;
  readonly webSocketApi: apigw.WebSocketApi;
  readonly webSocketStage: apigw.WebSocketStage;

  constructor(scope: Construct, id: string, props: RealtimeStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.connectionsTable = new SwarmTable(this, "Connections", {
      config,
      partitionKey: { name: "pk", type: dynamodb.AttributeType.STRING },
      sortKey: { name: "sk", type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: "expiresAt",
      globalSecondaryIndexes: [
        {
          indexName: BY_SK_INDEX,
          partitionKey: { name: "sk", type: dynamodb.AttributeType.STRING },
          sortKey: { name: "pk", type: dynamodb.AttributeType.STRING },
        },
      ],
    });
    const eventsTable = new SwarmTable(this, "Events", {
      config,
      partitionKey: { name: "pk", type: dynamodb.AttributeType.STRING },
      sortKey: { name: "sk", type: dynamodb.AttributeType.NUMBER },
      timeToLiveAttribute: "expiresAt",
    });

    const connections = ConnectionsTableEnvironment.toEnvironment({ CONNECTIONS_TABLE: this.connectionsTable.tableName });
    const handler = (name: string, entry: string, description: string, environment: Record<string, string> = {}) =>
      new SwarmFunction(this, name, {
        entry: `realtime/${entry}`,
        description,
        context: "realtime",
        config,
        environment: { ...connections, ...environment },
      });

    const connect = handler(
      "Connect",
      "connect.ts",
      "WebSocket $connect: verify the JWT and record the connection",
      ConnectEnvironment.toEnvironment({
        JWT_ISSUER: props.issuer,
        JWT_JWKS_URI: `${props.issuer}/.well-known/jwks.json`,
        USER_POOL_CLIENT_ID: props.userPoolClientId,
        CONNECTIONS_PER_USER: config.wsConnectionsPerUser,
      }),
    );
    // Handlers that record and deliver events themselves (presence, room messages, replay).
    const publishing = EventHistoryEnvironment.toEnvironment({
      EVENTS_TABLE: eventsTable.tableName,
      EVENT_RETENTION_SECONDS: config.eventRetentionHours * 3600,
    });
    const disconnect = handler(
      "Disconnect",
      "disconnect.ts",
      "WebSocket $disconnect: forget the connection, tell its rooms",
      publishing,
    );
    const message = handler(
      "ClientMessage",
      "client-message.ts",
      "WebSocket $default: subscriptions, rooms, replay, ping; rate-limited",
      {
        ...publishing,
        ...RateLimitEnvironment.toEnvironment({
          RATE_LIMIT_PER_SECOND: config.wsRateLimitPerSecond,
          RATE_LIMIT_BURST: config.wsRateLimitBurst,
        }),
      },
    );

    this.webSocketApi = new apigw.WebSocketApi(this, "WebSocket", {
      description: `TGE Swarm live dashboard (${config.stage})`,
      connectRouteOptions: { integration: new WebSocketLambdaIntegration("ConnectIntegration", connect) },
      disconnectRouteOptions: { integration: new WebSocketLambdaIntegration("DisconnectIntegration", disconnect) },
      defaultRouteOptions: { integration: new WebSocketLambdaIntegration("MessageIntegration", message) },
    });
    this.webSocketStage = new apigw.WebSocketStage(this, "WebSocketStage", {
      webSocketApi: this.webSocketApi,
      stageName: config.stage,
      autoDeploy: true,
      throttle: { burstLimit: 500, rateLimit: 1_000 },
    });
    const accessLogs = new logs.LogGroup(this, "WebSocketAccessLogs", {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    (this.webSocketStage.node.defaultChild as apigw.CfnStage).accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: "$context.requestId",
        connectionId: "$context.connectionId",
        routeKey: "$context.routeKey",
        status: "$context.status",
        error: "$context.error.message",
      }),
    };
    const callback = CallbackEnvironment.toEnvironment({ WS_CALLBACK_URL: this.webSocketStage.callbackUrl });
    for (const fn of [message, disconnect]) {
      for (const [key, value] of Object.entries(callback)) fn.addEnvironment(key, value);
      // A join or leave moves the room's count with the membership (UpdateItem in the
      // transaction); its tally is one BatchGetItem of the room's two rows (ADR 0025).
      this.connectionsTable.grant(
        fn,
        "GetItem",
        "PutItem",
        "DeleteItem",
        "UpdateItem",
        "BatchGetItem",
        "Query",
        "BatchWriteItem",
      );
      eventsTable.grant(fn, "UpdateItem", "PutItem", "Query");
      this.webSocketStage.grantManagementApiAccess(fn);
    }
    this.connectionsTable.grant(connect, "BatchWriteItem", "Query");

    const broadcasting = { ...callback, ...publishing };
    // One event per invocation: direct invokes (the fan-out benchmark, operators' tests).
    const broadcaster = handler(
      "BroadcastEvent",
      "broadcast-event.ts",
      "One bus event → WebSocket: record it once and fan it out",
      broadcasting,
    );
    // What the dashboard rule feeds (ADR 0018): events in batches, one frame per connection.
    const batchBroadcaster = handler(
      "BroadcastEvents",
      "broadcast-events.ts",
      "Bus → queue → WebSocket: record each event once, one frame per connection per batch",
      broadcasting,
    );
    for (const fn of [broadcaster, batchBroadcaster]) {
      // A connection found gone is removed (DeleteItem, BatchWriteItem; UpdateItem moves each
      // room's count with it) and its rooms told (BatchGetItem of a room's tally, Query of a
      // small room's members; PutItem keeps a large room's change for its summary).
      this.connectionsTable.grant(fn, "DeleteItem", "UpdateItem", "BatchGetItem", "Query", "BatchWriteItem", "PutItem");
      // The seq (UpdateItem), and each event's marker and history row, read by id and written
      // together in one transaction (BatchGetItem, PutItem; ADR 0024).
      eventsTable.grant(fn, "UpdateItem", "PutItem", "BatchGetItem");
      this.webSocketStage.grantManagementApiAccess(fn);
    }
    const broadcastQueue = new GuardedQueue(this, "BroadcastQueue", {
      consumerTimeout: Duration.seconds(10),
      maxReceiveCount: 5,
      retentionPeriod: Duration.hours(1),
    });
    Validations.of(batchBroadcaster).acknowledge({
      id: "Serverless-LambdaEventSourceMappingDestination",
      reason:
        "An SQS event source takes no on-failure destination: a message that fails maxReceiveCount times moves to the queue's own dead-letter queue, whose depth is alarmed.",
    });
    batchBroadcaster.addEventSource(
      new SqsEventSource(broadcastQueue.queue, {
        // On AWS up to 100 events wait at most a second; the emulator takes at most 10, at once.
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        // Several at once: a burst of events must not queue behind one invocation's recording
        // (clients order frames by seq across invocations, as they did with one per event).
        maxConcurrency: 5,
      }),
    );

    const undelivered = new FailureQueue(this, "UndeliveredEvents", {
      holds: "bus events the broadcaster could not be invoked with, or failed on after its retries",
    });
    new events.Rule(this, "DashboardEvents", {
      description: "Swarm events the dashboard shows",
      eventBus: props.bus,
      eventPattern: { source: events.Match.prefix("tge-swarm."), detailType: Object.keys(SERVER_EVENT_TYPE_OF) },
      targets: [
        new targets.SqsQueue(broadcastQueue.queue, {
          retryAttempts: 2,
          maxEventAge: Duration.hours(1),
          deadLetterQueue: undelivered,
        }),
      ],
    });

    // WebSocket management (seed 004): who is connected, rooms, history, admin broadcasts.
    const api = routeFunctions(this, REALTIME_ROUTES, {
      config,
      context: "realtime",
      environment: connections,
      environmentOf: {
        getEventHistory: publishing,
        getStatistics: EventsTableEnvironment.toEnvironment({ EVENTS_TABLE: eventsTable.tableName }),
        broadcastMessage: EventBusEnvironment.toEnvironment({ EVENT_BUS_NAME: props.bus.eventBusName }),
      },
    });
    this.connectionsTable.grant(api.listConnections, "Query");
    this.connectionsTable.grant(api.listRooms, "Query");
    eventsTable.grant(api.getEventHistory, "Query");
    this.connectionsTable.grant(api.getStatistics, "Query");
    eventsTable.grant(api.getStatistics, "BatchGetItem");
    grantPublish(props.bus, api.broadcastMessage, EVENT_SOURCES.realtime);
    props.http.addRoutes(this, REALTIME_ROUTES, api);

    // Large rooms' presence summaries (ADR 0022): a change schedules its room's next summary as
    // a message delayed by the interval; a summary that fails comes back, then goes to the DLQ.
    const presenceQueue = new GuardedQueue(this, "PresenceQueue", {
      consumerTimeout: Duration.seconds(10),
      maxReceiveCount: 5,
      retentionPeriod: Duration.hours(1),
    });
    const summarizer = handler(
      "SummarizePresence",
      "summarize-presence.ts",
      "Presence queue → one presence summary to every member of a large room",
      broadcasting,
    );
    Validations.of(summarizer).acknowledge({
      id: "Serverless-LambdaEventSourceMappingDestination",
      reason:
        "An SQS event source takes no on-failure destination: a summary that fails maxReceiveCount times moves to the presence queue's own dead-letter queue, whose depth is alarmed.",
    });
    summarizer.addEventSource(new SqsEventSource(presenceQueue.queue, { batchSize: 10, reportBatchItemFailures: true }));
    this.webSocketStage.grantManagementApiAccess(summarizer);
    eventsTable.grant(summarizer, "UpdateItem", "PutItem");
    // Reads the waiting changes and the members (Query) after the room's tally (BatchGetItem),
    // clears the mark and the announced changes (DeleteItem, BatchWriteItem), keeps the members
    // it listed (PutItem) and corrects a drifted count (UpdateItem); a member found gone is
    // dropped on the way.
    this.connectionsTable.grant(summarizer, "Query", "BatchGetItem", "DeleteItem", "BatchWriteItem", "PutItem", "UpdateItem");
    const presence = PresenceQueueEnvironment.toEnvironment({ PRESENCE_QUEUE_URL: presenceQueue.queue.queueUrl });
    for (const fn of [message, disconnect, broadcaster, batchBroadcaster, summarizer]) {
      for (const [key, value] of Object.entries(presence)) fn.addEnvironment(key, value);
      presenceQueue.queue.grantSendMessages(fn);
    }

    new CfnOutput(this, "WebSocketUrl", { value: this.webSocketStage.url });
    new CfnOutput(this, "WebSocketApiId", { value: this.webSocketApi.apiId });
    new CfnOutput(this, "WebSocketStageName", { value: this.webSocketStage.stageName });
    new CfnOutput(this, "ConnectionsTableName", { value: this.connectionsTable.tableName });
    new CfnOutput(this, "EventsTableName", { value: eventsTable.tableName });
    new CfnOutput(this, "BroadcasterFunctionName", { value: broadcaster.functionName });

    Validations.of(this.webSocketApi).acknowledge({
      id: "AwsSolutions-APIG4",
      reason:
        "$connect verifies the Cognito JWT in its handler and refuses the handshake without one; $default and $disconnect only run on connections it admitted.",
    });
    const account = Token.isUnresolved(this.account) ? "<AWS::AccountId>" : this.account;
    const callbackArn = `Resource::arn:<AWS::Partition>:execute-api:${config.region}:${account}:<${this.getLogicalId(this.webSocketApi.node.defaultChild as apigw.CfnApi)}>/${config.stage}/*/@connections/*`;
    for (const fn of [message, disconnect, broadcaster, batchBroadcaster, summarizer]) {
      acknowledgeGrant(fn, {
        id: `AwsSolutions-IAM5[${callbackArn}]`,
        reason: "execute-api:ManageConnections must cover every connection id of this one API stage.",
      });
    }
  }
}
