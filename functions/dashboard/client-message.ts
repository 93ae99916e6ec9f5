import type { APIGatewayProxyWebsocketEventV2 } from "aws-lambda";
import { systemClock } from "#core/shared/clock";
import { instrumented } from "#core/shared/instrumented";
import { logger } from "#core/shared/powertools";
import { handleClientMessage } from "#core/dashboard/domain/client-messages";
import { connectionGateway, connectionStore } from "./wiring";

const connections = connectionStore();
const gateway = connectionGateway();

/** $default — every client frame; replies (including `error` frames) go back over @connections. */
export const handler = instrumented(
  async (event: APIGatewayProxyWebsocketEventV2) => {
    const { connectionId } = event.requestContext;
    const reply = await handleClientMessage(connectionId, event.body, { connections, gateway, clock: systemClock });
    if (reply.type === "error") logger.info("client message refused", { connectionId, error: reply.data });
    return { statusCode: 200 };
  },
  () => ({}),
);
