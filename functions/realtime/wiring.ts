import { ApiGatewayManagementApiClient } from "@aws-sdk/client-apigatewaymanagementapi";
import { ApiGatewayConnectionGateway } from "#realtime/adapters/apigw-connection-gateway";
import { DynamoDbConnectionStore } from "#realtime/adapters/dynamodb-connection-store";
import { DynamoDbDeliveryStats } from "#realtime/adapters/dynamodb-delivery-stats";
import { DynamoDbEventHistory } from "#realtime/adapters/dynamodb-event-history";
import { DynamoDbEventLedger } from "#realtime/adapters/dynamodb-event-ledger";
import { DynamoDbSequence } from "#realtime/adapters/dynamodb-sequence";
import { DynamoDbPendingPresence } from "#realtime/adapters/dynamodb-pending-presence";
import {
  CallbackEnvironment,
  EventHistoryEnvironment,
  EventsTableEnvironment,
  PresenceQueueEnvironment,
} from "#realtime/adapters/function-environments";
import { SqsPresenceScheduler } from "#realtime/adapters/sqs-presence-scheduler";
import { ConnectionsTableEnvironment } from "#realtime/published/connections-environment";
import type { PublishDeps } from "#realtime/domain/publishing";
import { clientConfig, dynamoDocumentClient, eventBridgeClient, sqsClient } from "#shared/adapters/aws-clients";
import { EventBridgePublisher, EventBusEnvironment } from "#shared/adapters/eventbridge-publisher";
import { systemClock } from "#shared/clock";
import { once } from "#shared/once";
import { tracer } from "#shared/powertools";

/** Wiring shared by the WebSocket handlers; each piece reads only the variables it needs, on first use. */
const db = once(() => dynamoDocumentClient());

/** Connections one broadcast delivers to at once. */
const BROADCAST_CONCURRENCY = 50;

export const connectionStore = once(
  () => new DynamoDbConnectionStore(db(), ConnectionsTableEnvironment.read().CONNECTIONS_TABLE),
);

/**
 * The @connections client. Throttling (429) is retried in this one layer, by the SDK's
 * standard mode: capped exponential backoff with full jitter, up to `maxAttempts`.
 */
export const managementClient = (endpoint: string) =>
  tracer.captureAWSv3Client(
    new ApiGatewayManagementApiClient({ ...clientConfig({ requestTimeoutMs: 3_000, maxAttempts: 4 }), endpoint }),
  );

export const connectionGateway = once(
  () => new ApiGatewayConnectionGateway(managementClient(CallbackEnvironment.read().WS_CALLBACK_URL)),
);

export const eventHistory = once(() => {
  const env = EventHistoryEnvironment.read();
  return new DynamoDbEventHistory(db(), env.EVENTS_TABLE, env.EVENT_RETENTION_SECONDS);
});

/** Which bus events the broadcasters have recorded (ADR 0024). */
export const eventLedger = once(() => {
  const env = EventHistoryEnvironment.read();
  return new DynamoDbEventLedger(db(), env.EVENTS_TABLE, env.EVENT_RETENTION_SECONDS);
});

export const publisher = once(() => new EventBridgePublisher(eventBridgeClient(), EventBusEnvironment.read().EVENT_BUS_NAME));

export const deliveryStats = once(() => new DynamoDbDeliveryStats(db(), EventsTableEnvironment.read().EVENTS_TABLE));

/** Recording (seq + history) and delivery, for handlers that publish events themselves. */
export const publishDeps = once((): PublishDeps => {
  const env = EventsTableEnvironment.read();
  return {
    connections: connectionStore(),
    gateway: connectionGateway(),
    sequence: new DynamoDbSequence(db(), env.EVENTS_TABLE),
    history: eventHistory(),
    stats: deliveryStats(),
    clock: systemClock,
    concurrency: BROADCAST_CONCURRENCY,
    presence: {
      pending: new DynamoDbPendingPresence(db(), ConnectionsTableEnvironment.read().CONNECTIONS_TABLE),
      scheduler: new SqsPresenceScheduler(sqsClient(), PresenceQueueEnvironment.read().PRESENCE_QUEUE_URL),
    },
  };
});
