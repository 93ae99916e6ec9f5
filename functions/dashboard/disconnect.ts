import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyWebsocketEventV2 } from "aws-lambda";
import { logger } from "#core/shared/powertools";
import { connectionStore } from "./ws-env";

const connections = connectionStore();

/** $disconnect — forgets the connection and its subscriptions. */
export const handler = middy(async (event: APIGatewayProxyWebsocketEventV2) => {
  await connections.remove(event.requestContext.connectionId);
  logger.info("connection closed", { connectionId: event.requestContext.connectionId });
  return { statusCode: 200 };
}).use(injectLambdaContext(logger, { resetKeys: true }));
