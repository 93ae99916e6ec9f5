import { ApiGatewayManagementApiClient } from "@aws-sdk/client-apigatewaymanagementapi";
import * as z from "zod";
import { clientConfig, dynamoDocumentClient } from "#shared/adapters/aws-clients";
import { systemClock } from "#shared/clock";
import { readEnv } from "#shared/env";
import { tracer } from "#shared/powertools";
import { ApiGatewayConnectionGateway } from "#realtime/adapters/apigw-connection-gateway";
import { DynamoDbConnectionStore } from "#realtime/adapters/dynamodb-connection-store";
import { DynamoDbEventHistory } from "#realtime/adapters/dynamodb-event-history";
import { DynamoDbSequence } from "#realtime/adapters/dynamodb-sequence";
import type { PublishDeps } from "#realtime/domain/publishing";

/** Wiring shared by the WebSocket handlers; each reads only the variables it needs. */
let store: DynamoDbConnectionStore | undefined;
export function connectionStore(): DynamoDbConnectionStore {
  store ??= new DynamoDbConnectionStore(
    dynamoDocumentClient(),
    readEnv(z.object({ CONNECTIONS_TABLE: z.string().min(1) })).CONNECTIONS_TABLE,
  );
  return store;
}

/**
 * The @connections client. Throttling (429) is retried in this one layer, by the SDK's
 * standard mode: capped exponential backoff with full jitter, up to `maxAttempts`.
 */
export const managementClient = (endpoint: string) =>
  tracer.captureAWSv3Client(
    new ApiGatewayManagementApiClient({ ...clientConfig({ requestTimeoutMs: 3_000, maxAttempts: 4 }), endpoint }),
  );

let gateway: ApiGatewayConnectionGateway | undefined;
export function connectionGateway(): ApiGatewayConnectionGateway {
  gateway ??= new ApiGatewayConnectionGateway(managementClient(readEnv(z.object({ WS_CALLBACK_URL: z.url() })).WS_CALLBACK_URL));
  return gateway;
}

/** Recording (seq + history) and delivery, for handlers that publish events themselves. */
let publishing: PublishDeps | undefined;
export function publishDeps(): PublishDeps {
  if (!publishing) {
    const env = readEnv(
      z.object({
        EVENTS_TABLE: z.string().min(1),
        EVENT_RETENTION_SECONDS: z.coerce.number().int().positive(),
        BROADCAST_CONCURRENCY: z.coerce.number().int().positive().default(50),
      }),
    );
    const db = dynamoDocumentClient();
    publishing = {
      connections: connectionStore(),
      gateway: connectionGateway(),
      sequence: new DynamoDbSequence(db, env.EVENTS_TABLE),
      history: new DynamoDbEventHistory(db, env.EVENTS_TABLE, env.EVENT_RETENTION_SECONDS),
      clock: systemClock,
      concurrency: env.BROADCAST_CONCURRENCY,
    };
  }
  return publishing;
}
