import type { APIGatewayProxyWebsocketEventV2 } from "aws-lambda";
import { instrumented } from "#shared/instrumented";
import { dropConnection } from "#realtime/domain/publishing";
import { publishDeps } from "./wiring";

const deps = publishDeps();

/** Close codes of a connection that ended on purpose; anything else (1006: no close frame) is a drop. */
const CLEAN_CLOSE_CODES = new Set([1000, 1001]);

type DisconnectEvent = APIGatewayProxyWebsocketEventV2 & {
  requestContext: APIGatewayProxyWebsocketEventV2["requestContext"] & { disconnectStatusCode?: number };
};

/** $disconnect — forgets the connection and tells its rooms it left (or dropped). */
export const handler = instrumented(
  async (event: DisconnectEvent) => {
    const { connectionId, disconnectStatusCode } = event.requestContext;
    const action = disconnectStatusCode !== undefined && CLEAN_CLOSE_CODES.has(disconnectStatusCode) ? "left" : "dropped";
    await dropConnection(connectionId, action, deps);
    return { statusCode: 200 };
  },
  () => ({}),
);
