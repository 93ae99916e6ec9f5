import { ApiGatewayManagementApiClient, GoneException, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { ApiGatewayConnectionGateway } from "#realtime/adapters/apigw-connection-gateway";

const client = new ApiGatewayManagementApiClient({ region: "us-east-1", endpoint: "https://example.com/local" });
const mock = mockClient(client);
const gateway = new ApiGatewayConnectionGateway(client);

describe("ApiGatewayConnectionGateway", () => {
  it("answers gone for a 410, and rethrows anything else", async () => {
    mock.on(PostToConnectionCommand, { ConnectionId: "old" }).rejects(new GoneException({ message: "gone", $metadata: {} }));
    mock.on(PostToConnectionCommand, { ConnectionId: "flaky" }).rejects(new Error("ThrottlingException"));
    mock.on(PostToConnectionCommand, { ConnectionId: "live" }).resolves({});
    expect(await gateway.post("old", "{}")).toBe("gone");
    expect(await gateway.post("live", "{}")).toBe("delivered");
    await expect(gateway.post("flaky", "{}")).rejects.toThrow("ThrottlingException");
  });
});
