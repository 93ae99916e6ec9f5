import type { APIGatewayProxyWebsocketEventV2 } from "aws-lambda";
import { dynamoDocumentClient } from "#shared/adapters/aws-clients";
import { instrumented } from "#shared/instrumented";
import { logger } from "#shared/powertools";
import { DynamoDbRateLimiter } from "#realtime/adapters/dynamodb-rate-limiter";
import { RateLimitEnvironment } from "#realtime/adapters/function-environments";
import { ConnectionsTableEnvironment } from "#realtime/published/connections-environment";
import { handleClientMessage } from "#realtime/domain/client-messages";
import { publishDeps } from "./wiring";

const env = ConnectionsTableEnvironment.and(RateLimitEnvironment).read();
const deps = {
  ...publishDeps(),
  rateLimiter: new DynamoDbRateLimiter(dynamoDocumentClient(), env.CONNECTIONS_TABLE),
  rateLimit: { capacity: env.RATE_LIMIT_BURST, refillPerSecond: env.RATE_LIMIT_PER_SECOND },
};

/** $default — every client frame; replies (including `error` frames) go back over @connections. */
export const handler = instrumented(
  async (event: APIGatewayProxyWebsocketEventV2) => {
    const { connectionId } = event.requestContext;
    const reply = await handleClientMessage(connectionId, event.body, deps);
    if (reply?.type === "error") logger.info("client message refused", { connectionId, error: reply.data });
    return { statusCode: 200 };
  },
  () => ({}),
);
