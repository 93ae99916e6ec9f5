import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { afterAll, describe, expect, it } from "vitest";
import { type Frame, WsClient } from "../../../scripts/local/ws-client";
import { outputs, tokenFor } from "../support/api";
import { invokeFunction } from "../support/fleet";

const open: WsClient[] = [];
afterAll(() => {
  for (const client of open) client.close();
});
async function connect(): Promise<WsClient> {
  const client = await WsClient.connect(outputs().WebSocketUrl, await tokenFor("viewer"));
  open.push(client);
  return client;
}

/** What a client knows of this test's alerts: seq and title, in the order it reconstructs them (by seq). */
const alertsOf = (client: WsClient, prefix: string) =>
  [
    ...new Map(
      client.frames
        .filter((f) => f.type === "system_alert" && String(f.data.title).startsWith(prefix))
        .map((f) => [f.seq as number, { seq: f.seq as number, title: String(f.data.title) }]),
    ).values(),
  ].sort((a, b) => a.seq - b.seq);

describe("batch frames", () => {
  it("a client sent `batch` frames reconstructs the same ordered events as one sent a frame per event", async () => {
    // GIVEN a client on `alerts`, and a burst of 30 alerts put on the bus at once
    const batched = await connect();
    await batched.subscribe(["alerts"]);
    const prefix = `batch-${Date.now().toString(36)}`;
    const bus = new EventBridgeClient({ endpoint: outputs().endpoint, region: outputs().region });
    const sent: { id: string; title: string; detail: Record<string, unknown>; time: string }[] = [];
    for (let call = 0; call < 3; call++) {
      const entries = Array.from({ length: 10 }, (_, i) => {
        const title = `${prefix}-${String(call * 10 + i).padStart(2, "0")}`;
        const time = new Date().toISOString();
        return { title, time, detail: { severity: "info", source: "e2e", title, message: title, resource: {}, raisedAt: time } };
      });
      const response = await bus.send(
        new PutEventsCommand({
          Entries: entries.map(({ detail }) => ({
            EventBusName: outputs().EventBusName,
            Source: "tge-swarm.monitoring",
            DetailType: "SystemAlert",
            Detail: JSON.stringify(detail),
          })),
        }),
      );
      expect(response.FailedEntryCount ?? 0).toBe(0);
      entries.forEach((entry, i) => sent.push({ ...entry, id: response.Entries?.[i]?.EventId as string }));
    }
    bus.destroy();

    // WHEN every alert has reached it through the batching broadcaster
    await batched.waitFor(() => alertsOf(batched, prefix).length === 30, 60_000, "all 30 alerts");
    const fromBatches = alertsOf(batched, prefix);
    const batchFrames = batched.received.filter((f) => f.type === "batch");

    // … and a second client is sent the same bus events one frame each, by the single-event
    // broadcaster, in the order the first client reconstructed (that function records them
    // under its own idempotency keys, so they get new seqs: the order is what is compared)
    const single = await connect();
    await single.subscribe(["alerts"]);
    const byTitle = new Map(sent.map((event) => [event.title, event]));
    for (const { title } of fromBatches) {
      const event = byTitle.get(title);
      if (!event) throw new Error(`the batched client got an alert this test did not send: ${title}`);
      await invokeFunction(outputs().BroadcasterFunctionName, {
        id: event.id,
        "detail-type": "SystemAlert",
        source: "tge-swarm.monitoring",
        time: event.time,
        detail: event.detail,
      });
    }
    await single.waitFor(() => alertsOf(single, prefix).length === 30, 60_000, "all 30 alerts, one frame each");

    // THEN the burst came in fewer frames than events, each batch in seq order …
    expect(batchFrames.length).toBeGreaterThan(0);
    for (const frame of batchFrames) {
      const seqs = (frame.data.events as Frame[]).map((e) => e.seq as number);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
    expect(single.received.filter((f) => f.type === "batch")).toEqual([]);
    // … and both clients hold the same 30 events, in the same order, with no repeats
    expect(fromBatches.map((a) => a.title)).toEqual(alertsOf(single, prefix).map((a) => a.title));
    expect(fromBatches.map((a) => a.title).sort()).toEqual(sent.map((s) => s.title).sort());
    expect(new Set(fromBatches.map((a) => a.seq)).size).toBe(30);
  });
});
