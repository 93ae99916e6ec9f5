import type { APIGatewayProxyWebsocketEventV2, Context } from "aws-lambda";
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

/** Time kept back from the function's timeout to tell a client `timeout` rather than leave it unanswered. */
const ANSWER_MARGIN_MS = 1_000;

/** $default — every client frame; replies (including `error` frames) go back over @connections. */
export const handler = instrumented(
  async (event: APIGatewayProxyWebsocketEventV2, context: Context) => {
    const { connectionId } = event.requestContext;
    const withinMs = context.getRemainingTimeInMillis() - ANSWER_MARGIN_MS;
    const onLateFailure = (error: unknown) => logger.error("a frame answered timeout failed later", { connectionId, error });
    const reply = await handleClientMessage(connectionId, event.body, deps, { withinMs, onLateFailure });
    if (reply?.type === "error") logger.info("client message refused", { connectionId, error: reply.data });
    return { statusCode: 200 };
  },
  () => ({}),
);
