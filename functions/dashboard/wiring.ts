import { ApiGatewayManagementApiClient } from "@aws-sdk/client-apigatewaymanagementapi";
import * as z from "zod";
import { clientConfig, dynamoDocumentClient } from "#core/shared/adapters/aws-clients";
import { readEnv } from "#core/shared/env";
import { tracer } from "#core/shared/powertools";
import { ApiGatewayConnectionGateway } from "#core/dashboard/adapters/apigw-connection-gateway";
import { DynamoDbConnectionStore } from "#core/dashboard/adapters/dynamodb-connection-store";

/** Wiring shared by the WebSocket handlers; each reads only the variables it needs. */
let store: DynamoDbConnectionStore | undefined;
export function connectionStore(): DynamoDbConnectionStore {
  store ??= new DynamoDbConnectionStore(
    dynamoDocumentClient(),
    readEnv(z.object({ CONNECTIONS_TABLE: z.string().min(1) })).CONNECTIONS_TABLE,
  );
  return store;
}

let gateway: ApiGatewayConnectionGateway | undefined;
export function connectionGateway(): ApiGatewayConnectionGateway {
  gateway ??= new ApiGatewayConnectionGateway(
    tracer.captureAWSv3Client(
      new ApiGatewayManagementApiClient({
        ...clientConfig({ requestTimeoutMs: 3_000 }),
        endpoint: readEnv(z.object({ WS_CALLBACK_URL: z.url() })).WS_CALLBACK_URL,
      }),
    ),
  );
  return gateway;
}
