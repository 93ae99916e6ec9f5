import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { EVENT_SOURCES } from "#kernel/bus/domain-event";
import { METRICS_SNAPSHOT, MetricsSnapshot } from "#kernel/bus/metrics-snapshot";
import { DynamoDbMetricsHistory } from "#monitoring/adapters/dynamodb-metrics-history";
import { pointOf, SystemMetricsView } from "#monitoring/published/system-metrics";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { LocalOutputs } from "../local/outputs";
import { localToken } from "../local/users";
import { WsClient } from "../local/ws-client";
import { summarize } from "./stats";

/** Seed 002: metrics reach the dashboard within 5 s. */
const TARGET_LAG_MS = 5_000;

/**
 * The system metrics path (issue 14): the minute's snapshot taken on demand (the function the
 * schedule runs), then the time from its `at` to its `metrics` frame at a subscribed client
 * (snapshot lag) and to its point in `GET /api/metrics/system` (history lag). Beside them, in
 * the same run: the same snapshot put on the bus directly (bus → frame, the broadcaster alone),
 * and the view's read time over an hour and a day of points (a day of them written first, as
 * the recorder would have, so the 24 h read is a full one).
 */
export async function metricsBenchmark(outputs: LocalOutputs, options: { rounds: number; reads: number }) {
  const token = await localToken(outputs, "viewer");
  const lambda = new LambdaClient({
    endpoint: outputs.endpoint,
    region: outputs.region,
    requestHandler: { requestTimeout: 60_000 },
  });
  const bus = new EventBridgeClient({});
  const client = await WsClient.connect(outputs.WebSocketUrl, token, 30_000);
  const view = async (window: string) => {
    const started = performance.now();
    const response = await fetch(`${outputs.HttpApiUrl}/api/metrics/system?window=${window}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(10_000),
    });
    if (response.status !== 200) throw new Error(`GET /api/metrics/system answered ${response.status}`);
    return { body: SystemMetricsView.parse(await response.json()), ms: performance.now() - started };
  };
  try {
    await client.subscribe(["metrics_only"]);
    const snapshotLag: number[] = [];
    const historyLag: number[] = [];
    const busToFrame: number[] = [];
    // Round 0 warms the functions; it is not counted.
    for (let round = 0; round <= options.rounds; round++) {
      const invoked = await lambda.send(new InvokeCommand({ FunctionName: outputs.MetricsSnapshotFunctionName }));
      if (invoked.FunctionError)
        throw new Error(`the snapshot function failed: ${Buffer.from(invoked.Payload ?? []).toString()}`);
      const snapshot = MetricsSnapshot.parse(JSON.parse(Buffer.from(invoked.Payload ?? []).toString()));
      const taken = Date.parse(snapshot.at);
      await client.waitFor((f) => f.type === "metrics" && f.data.at === snapshot.at, 30_000, "the snapshot's frame");
      const framed = Date.now();
      for (let kept = false; !kept;) {
        if (Date.now() - taken > 30_000) throw new Error(`the point of ${snapshot.at} was not kept within 30 s`);
        kept = (await view("5m")).body.series.some((point) => point.at === snapshot.at);
        if (!kept) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const pointed = Date.now();

      // The raw baseline: the same figures put on the bus by hand, at a new instant.
      const raw = { ...snapshot, at: new Date().toISOString() };
      const put = Date.now();
      await bus.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: outputs.EventBusName,
              Source: EVENT_SOURCES.monitoring,
              DetailType: METRICS_SNAPSHOT,
              Detail: JSON.stringify(raw),
            },
          ],
        }),
      );
      await client.waitFor((f) => f.type === "metrics" && f.data.at === raw.at, 30_000, "the raw frame");
      if (round === 0) continue;
      snapshotLag.push(framed - taken);
      historyLag.push(pointed - taken);
      busToFrame.push(Date.now() - put);
    }
    // A day of points, one a minute, ending now: what the 24 h window reads on a swarm that has run a day.
    const history = new DynamoDbMetricsHistory(
      DynamoDBDocumentClient.from(new DynamoDBClient({})),
      outputs.MetricsHistoryTableName,
    );
    const last = MetricsSnapshot.parse(
      JSON.parse(
        Buffer.from(
          (await lambda.send(new InvokeCommand({ FunctionName: outputs.MetricsSnapshotFunctionName }))).Payload ?? [],
        ).toString(),
      ),
    );
    const now = Date.parse(last.at);
    for (let minute = 1; minute < 24 * 60; minute += 32) {
      await Promise.all(
        Array.from({ length: Math.min(32, 24 * 60 - minute) }, (_, i) =>
          history.record(pointOf({ ...last, at: new Date(now - (minute + i) * 60_000).toISOString() })),
        ),
      );
    }
    const reads = async (window: string) => {
      const samples: number[] = [];
      let points = 0;
      for (let i = 0; i < options.reads; i++) {
        const { body, ms } = await view(window);
        samples.push(ms);
        points = body.summary.minutes;
      }
      return { ...summarize(samples), points };
    };
    const snapshotLagMs = summarize(snapshotLag);
    const busToFrameMs = summarize(busToFrame);
    return {
      rounds: options.rounds,
      targetLagMs: TARGET_LAG_MS,
      snapshotLagMs,
      historyLagMs: summarize(historyLag),
      rawBusToFrameMs: busToFrameMs,
      snapshotLagOverRawP50: Math.round((snapshotLagMs.p50 / Math.max(1, busToFrameMs.p50)) * 100) / 100,
      meetsTarget: snapshotLagMs.p95 < TARGET_LAG_MS,
      viewReadMs: { "1h": await reads("1h"), "24h": await reads("24h") },
    };
  } finally {
    client.close();
  }
}
