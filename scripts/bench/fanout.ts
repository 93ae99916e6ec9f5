import { randomUUID } from "node:crypto";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import type { LocalOutputs } from "../local/outputs";
import { localToken } from "../local/users";
import { type Frame, WsClient } from "../local/ws-client";
import { summarize } from "./stats";
import { msToLastArrival, rawPoster } from "./ws-arrivals";

/**
 * AWS list prices (us-east-1, 2026) the cost estimate uses: API Gateway WebSocket messages,
 * and Lambda compute on arm64 for the broadcaster's run.
 */
const PRICE = { perMillionMessagesUsd: 1.0, perGbSecondUsd: 0.0000133334, broadcasterMemoryGb: 0.5 };

/**
 * One event to N connections: the time from handing the broadcaster one bus event to the
 * last client receiving it, beside a baseline of the same frame posted one connection at a
 * time with PostToConnection from here, on the same emulator in the same run.
 */
export async function fanoutBenchmark(outputs: LocalOutputs, options: { connections: number; rounds: number }) {
  const token = await localToken(outputs, "viewer");
  const clients: WsClient[] = [];
  const openStarted = performance.now();
  try {
    while (clients.length < options.connections) {
      const batch = Math.min(25, options.connections - clients.length);
      clients.push(
        ...(await Promise.all(Array.from({ length: batch }, () => WsClient.connect(outputs.WebSocketUrl, token, 30_000)))),
      );
    }
    // In batches: the emulator runs a bounded number of function instances at once.
    const ids: string[] = [];
    for (let i = 0; i < clients.length; i += 25) {
      const batch = clients.slice(i, i + 25);
      await Promise.all(batch.map((client) => client.subscribe(["alerts"])));
      ids.push(...(await Promise.all(batch.map((client) => client.connectionId()))));
    }
    const openMs = performance.now() - openStarted;

    const lambda = new LambdaClient({
      endpoint: outputs.endpoint,
      region: outputs.region,
      requestHandler: { requestTimeout: 120_000 },
    });
    const broadcastRounds: { lastDeliveryMs: number; invokeMs: number; delivered: number }[] = [];
    // Round 0 warms the broadcaster; it is not counted.
    for (let round = 0; round <= options.rounds; round++) {
      const title = `fanout-${round}-${randomUUID()}`;
      const arrivals = clients.map((client) =>
        client.waitFor((f) => f.type === "system_alert" && f.data.title === title, 60_000, title).then(() => performance.now()),
      );
      const started = performance.now();
      const result = await lambda.send(
        new InvokeCommand({
          FunctionName: outputs.BroadcasterFunctionName,
          Payload: Buffer.from(JSON.stringify(alertEvent(title))),
        }),
      );
      const invokeMs = performance.now() - started;
      const summary = JSON.parse(Buffer.from(result.Payload ?? new Uint8Array()).toString("utf8")) as { delivered: number };
      if (result.FunctionError) throw new Error(`the broadcaster failed: ${JSON.stringify(summary)}`);
      const last = Math.max(...(await Promise.all(arrivals)));
      if (round > 0) broadcastRounds.push({ lastDeliveryMs: last - started, invokeMs, delivered: summary.delivered });
    }

    const post = rawPoster(outputs);
    /** Posts the frame to every connection from here, `inFlight` at a time; answers ms to the last arrival. */
    const postAll = (prefix: string, inFlight: number) => {
      const title = `${prefix}-${randomUUID()}`;
      const frame = { type: "system_alert", seq: 0, timestamp: new Date().toISOString(), data: { title } };
      const arrived = (f: Frame) => f.type === "system_alert" && f.data.title === title;
      return msToLastArrival(clients, arrived, title, () => post(ids, frame, inFlight), 120_000);
    };
    const baselineRounds: number[] = [];
    const parallelRounds: number[] = [];
    for (let round = 0; round <= options.rounds; round++) {
      const oneByOne = await postAll("baseline", 1);
      // The same 50 in flight as the broadcaster, without the function: what the emulator allows.
      const parallel = await postAll("parallel", 50);
      if (round > 0) {
        baselineRounds.push(oneByOne);
        parallelRounds.push(parallel);
      }
    }

    const fanout = summarize(broadcastRounds.map((r) => r.lastDeliveryMs));
    const baseline = summarize(baselineRounds);
    const broadcasterMs = summarize(broadcastRounds.map((r) => r.invokeMs));
    const lambdaUsd = (broadcasterMs.p50 / 1_000) * PRICE.broadcasterMemoryGb * PRICE.perGbSecondUsd;
    const messageUsd = options.connections * (PRICE.perMillionMessagesUsd / 1e6);
    return {
      connections: options.connections,
      rounds: options.rounds,
      openAndSubscribeMs: Math.round(openMs),
      delivered: broadcastRounds.map((r) => r.delivered),
      broadcastToLastDeliveryMs: fanout,
      broadcasterInvokeMs: broadcasterMs,
      oneByOneBaselineToLastDeliveryMs: baseline,
      fiftyInFlightFromBenchToLastDeliveryMs: summarize(parallelRounds),
      speedupOverBaseline: Math.round((baseline.p50 / fanout.p50) * 10) / 10,
      perConnection: {
        deliveryMs: Math.round((fanout.p50 / options.connections) * 1000) / 1000,
        baselineMs: Math.round((baseline.p50 / options.connections) * 1000) / 1000,
        estimatedAwsUsd: (lambdaUsd + messageUsd) / options.connections,
        pricing: PRICE,
      },
      targetMs: 2_000,
      meetsTarget: fanout.p95 < 2_000,
    };
  } finally {
    for (const client of clients) client.close();
  }
}

const alertEvent = (title: string) => ({
  id: randomUUID(),
  "detail-type": "SystemAlert",
  source: "tge-swarm.monitoring",
  time: new Date().toISOString(),
  detail: { severity: "info", source: "bench", title, message: title, resource: {}, raisedAt: new Date().toISOString() },
});
