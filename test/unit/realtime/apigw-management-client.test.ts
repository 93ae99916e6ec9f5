import { GoneException, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// The Tracer reads its switch when #shared/powertools is first imported, and the client
// signs requests, so the environment must be in place before the imports below run.
vi.hoisted(() => {
  vi.stubEnv("POWERTOOLS_TRACE_ENABLED", "false");
  vi.stubEnv("AWS_REGION", "us-east-1");
  vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
});

import { ApiGatewayConnectionGateway } from "#realtime/adapters/apigw-connection-gateway";
import { managementClient } from "../../../functions/realtime/wiring";

type Reply = { statusCode: number; error?: string };

/** Answers each HTTP request with the next scripted reply (the last one repeats), counting requests. */
function scripted(...replies: Reply[]) {
  const calls: { path: string; body: string }[] = [];
  return {
    calls,
    handler: {
      handle: async (request: { path: string; body?: unknown }) => {
        calls.push({ path: request.path, body: String(request.body) });
        const reply = replies[Math.min(calls.length, replies.length) - 1] ?? { statusCode: 200 };
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (reply.error) headers["x-amzn-errortype"] = reply.error;
        const body = Buffer.from(reply.error ? JSON.stringify({ message: reply.error }) : "");
        return { response: { statusCode: reply.statusCode, headers, body } };
      },
    },
  };
}

/** The client exactly as the handlers build it, with its HTTP layer replaced by `script`. */
function clientAnswering(script: ReturnType<typeof scripted>) {
  const client = managementClient("https://abc123.execute-api.us-east-1.amazonaws.com/prod");
  // Only the transport is swapped; retry mode and max attempts stay as wiring.ts set them.
  Object.assign(client.config, { requestHandler: script.handler });
  return client;
}

const throttled: Reply = { statusCode: 429, error: "TooManyRequestsException" };

beforeEach(() => {
  // Full jitter draws the backoff from Math.random; 0 makes every wait 0 ms, so the test
  // counts attempts without sleeping through the SDK's 1 s throttling base delay.
  vi.spyOn(Math, "random").mockReturnValue(0);
});
afterEach(() => vi.restoreAllMocks());
afterAll(() => vi.unstubAllEnvs());

describe("managementClient (the @connections client)", () => {
  it("retries throttling and succeeds on the third attempt", async () => {
    // GIVEN
    const script = scripted(throttled, throttled, { statusCode: 200 });
    const client = clientAnswering(script);
    // WHEN
    const output = await client.send(new PostToConnectionCommand({ ConnectionId: "c1", Data: '{"type":"pong"}' }));
    // THEN
    expect(output.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 3 });
    expect(script.calls).toHaveLength(3);
    expect(script.calls.every((call) => call.path.endsWith("/@connections/c1") && call.body === '{"type":"pong"}')).toBe(true);
  });

  it("gives up after 4 attempts when throttling persists", async () => {
    const script = scripted(throttled);
    const client = clientAnswering(script);
    await expect(client.send(new PostToConnectionCommand({ ConnectionId: "c1", Data: "{}" }))).rejects.toMatchObject({
      name: "TooManyRequestsException",
      $metadata: { attempts: 4 },
    });
    expect(script.calls).toHaveLength(4);
  });

  it("makes ApiGatewayConnectionGateway answer gone for a 410, without retrying", async () => {
    const script = scripted({ statusCode: 410, error: "GoneException" });
    const gateway = new ApiGatewayConnectionGateway(clientAnswering(script));
    expect(await gateway.post("stale", "{}")).toBe("gone");
    expect(script.calls).toHaveLength(1);
  });

  it("makes ApiGatewayConnectionGateway deliver through throttling", async () => {
    const script = scripted(throttled, { statusCode: 200 });
    const gateway = new ApiGatewayConnectionGateway(clientAnswering(script));
    expect(await gateway.post("c1", "{}")).toBe("delivered");
    expect(script.calls).toHaveLength(2);
  });

  it("deserializes a 410 as the SDK's GoneException", async () => {
    const client = clientAnswering(scripted({ statusCode: 410, error: "GoneException" }));
    await expect(client.send(new PostToConnectionCommand({ ConnectionId: "c1", Data: "{}" }))).rejects.toBeInstanceOf(
      GoneException,
    );
  });
});
