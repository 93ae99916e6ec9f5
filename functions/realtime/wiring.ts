import { ApiGatewayManagementApiClient } from "@aws-sdk/client-apigatewaymanagementapi";
import * as z from "zod";
import { ApiGatewayConnectionGateway } from "#realtime/adapters/apigw-connection-gateway";
import { DynamoDbConnectionStore } from "#realtime/adapters/dynamodb-connection-store";
import { DynamoDbDeliveryStats } from "#realtime/adapters/dynamodb-delivery-stats";
import { DynamoDbEventHistory } from "#realtime/adapters/dynamodb-event-history";
import { DynamoDbSequence } from "#realtime/adapters/dynamodb-sequence";
import type { PublishDeps } from "#realtime/domain/publishing";
import { clientConfig, dynamoDocumentClient, eventBridgeClient } from "#shared/adapters/aws-clients";
import { EventBridgePublisher } from "#shared/adapters/eventbridge-publisher";
import { systemClock } from "#shared/clock";
import { readEnv } from "#shared/env";
import { once } from "#shared/once";
import { tracer } from "#shared/powertools";

/** Wiring shared by the WebSocket handlers; each piece reads only the variables it needs, on first use. */
const db = once(() => dynamoDocumentClient());

export const connectionStore = once(
  () => new DynamoDbConnectionStore(db(), readEnv(z.object({ CONNECTIONS_TABLE: z.string().min(1) })).CONNECTIONS_TABLE),
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
  () => new ApiGatewayConnectionGateway(managementClient(readEnv(z.object({ WS_CALLBACK_URL: z.url() })).WS_CALLBACK_URL)),
);

export const eventHistory = once(() => {
  const env = readEnv(z.object({ EVENTS_TABLE: z.string().min(1), EVENT_RETENTION_SECONDS: z.coerce.number().int().positive() }));
  return new DynamoDbEventHistory(db(), env.EVENTS_TABLE, env.EVENT_RETENTION_SECONDS);
});

export const publisher = once(
  () => new EventBridgePublisher(eventBridgeClient(), readEnv(z.object({ EVENT_BUS_NAME: z.string().min(1) })).EVENT_BUS_NAME),
);

export const deliveryStats = once(
  () => new DynamoDbDeliveryStats(db(), readEnv(z.object({ EVENTS_TABLE: z.string().min(1) })).EVENTS_TABLE),
);

/** Recording (seq + history) and delivery, for handlers that publish events themselves. */
export const publishDeps = once((): PublishDeps => {
  const env = readEnv(
    z.object({
      EVENTS_TABLE: z.string().min(1),
      BROADCAST_CONCURRENCY: z.coerce.number().int().positive().default(50),
    }),
  );
  return {
    connections: connectionStore(),
    gateway: connectionGateway(),
    sequence: new DynamoDbSequence(db(), env.EVENTS_TABLE),
    history: eventHistory(),
    stats: deliveryStats(),
    clock: systemClock,
    concurrency: env.BROADCAST_CONCURRENCY,
  };
});
