import type { APIGatewayProxyWebsocketEventV2 } from "aws-lambda";
import { CognitoTokenVerifier } from "#realtime/adapters/cognito-token-verifier";
import { ConnectEnvironment } from "#realtime/adapters/function-environments";
import { systemClock } from "#shared/clock";
import { DomainError } from "#shared/errors";
import { instrumented } from "#shared/instrumented";
import { logger } from "#shared/powertools";
import { openConnection } from "#realtime/domain/connect";
import { connectionStore } from "./wiring";

const connections = connectionStore();

const env = ConnectEnvironment.read();
const verifier = new CognitoTokenVerifier({
  issuer: env.JWT_ISSUER,
  jwksUri: env.JWT_JWKS_URI,
  clientId: env.USER_POOL_CLIENT_ID,
});

type ConnectEvent = APIGatewayProxyWebsocketEventV2 & { queryStringParameters?: Record<string, string> | null };

/** $connect — admits the connection only for a verified `?token=`; any other answer refuses the handshake. */
export const handler = instrumented(
  async (event: ConnectEvent) => {
    const { connectionId } = event.requestContext;
    try {
      const caller = await openConnection(connectionId, event.queryStringParameters?.token, {
        verifier,
        connections,
        clock: systemClock,
        connectionsPerUser: env.CONNECTIONS_PER_USER,
      });
      logger.info("connection opened", { connectionId, sub: caller.sub });
      return { statusCode: 200 };
    } catch (error) {
      if (error instanceof DomainError) {
        logger.info("connection refused", { connectionId, reason: error.message });
        return { statusCode: error.status, body: error.message };
      }
      throw error;
    }
  },
  (response) => ({ statusCode: response.statusCode }),
);
