import type { APIGatewayProxyWebsocketEventV2 } from "aws-lambda";
import { instrumented } from "#core/shared/instrumented";
import { connectionStore } from "./wiring";

const connections = connectionStore();

/** $disconnect — forgets the connection and its subscriptions. */
export const handler = instrumented(
  async (event: APIGatewayProxyWebsocketEventV2) => {
    await connections.remove(event.requestContext.connectionId);
    return { statusCode: 200 };
  },
  () => ({}),
);
