import {
  type ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from "@aws-sdk/client-apigatewaymanagementapi";
import type { ConnectionGateway, DeliveryOutcome } from "../domain/ports";

/** Posts frames through API Gateway's @connections API; throttling is retried by the SDK. */
export class ApiGatewayConnectionGateway implements ConnectionGateway {
  constructor(private readonly client: ApiGatewayManagementApiClient) {}

  async post(connectionId: string, data: string): Promise<DeliveryOutcome> {
    try {
      await this.client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
      return "delivered";
    } catch (error) {
      if (error instanceof GoneException) return "gone";
      throw error;
    }
  }
}
