import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyWebsocketEventV2 } from "aws-lambda";
import { systemClock } from "#core/shared/clock";
import { logger } from "#core/shared/powertools";
import { handleClientMessage } from "#core/dashboard/domain/client-messages";
import { connectionGateway, connectionStore } from "./ws-env";

const connections = connectionStore();
const gateway = connectionGateway();

/** $default — every client frame; replies (including `error` frames) go back over @connections. */
export const handler = middy(async (event: APIGatewayProxyWebsocketEventV2) => {
  const reply = await handleClientMessage(event.requestContext.connectionId, event.body, {
    connections,
    gateway,
    clock: systemClock,
  });
  if (reply.type === "error")
    logger.info("client message refused", { connectionId: event.requestContext.connectionId, error: reply.data });
  return { statusCode: 200 };
}).use(injectLambdaContext(logger, { resetKeys: true }));
