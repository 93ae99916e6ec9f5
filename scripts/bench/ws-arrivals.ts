import { ApiGatewayManagementApiClient, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
import { mapWithConcurrency } from "#shared/concurrency";
import type { LocalOutputs } from "../local/outputs";
import type { Frame, WsClient } from "../local/ws-client";

/** Runs `start` and answers the ms from its start to the last of `clients` receiving a frame matching `predicate`. */
export async function msToLastArrival(
  clients: readonly WsClient[],
  predicate: (frame: Frame) => boolean,
  what: string,
  start: () => unknown,
  timeoutMs = 60_000,
): Promise<number> {
  const arrivals = clients.map((client) => client.waitFor(predicate, timeoutMs, what).then(() => performance.now()));
  const started = performance.now();
  await start();
  return Math.max(...(await Promise.all(arrivals))) - started;
}

/**
 * The raw baseline of a fan-out: one frame posted from the bench itself to every connection
 * with PostToConnection, `inFlight` at a time, without any function in between.
 */
export function rawPoster(outputs: LocalOutputs) {
  const management = new ApiGatewayManagementApiClient({
    endpoint: outputs.WebSocketUrl.replace(/^ws/, "http"),
    region: outputs.region,
  });
  return async (connectionIds: readonly string[], frame: unknown, inFlight: number): Promise<void> => {
    const data = JSON.stringify(frame);
    const posted = await mapWithConcurrency(connectionIds, inFlight, (id) =>
      management.send(new PostToConnectionCommand({ ConnectionId: id, Data: data })),
    );
    const failure = posted.find((result) => result.status === "rejected");
    if (failure) throw new Error(`a baseline post failed: ${String(failure.reason)}`);
  };
}
