import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, describe, expect, it } from "vitest";
import { WsClient } from "../../../scripts/local/ws-client";
import { eventually, outputs, tokenFor } from "../support/api";
import { invokeFunction } from "../support/fleet";

interface BroadcastSummary {
  recipients: number;
  delivered: number;
  gone: number;
  failed: number;
}

const clients: WsClient[] = [];
afterAll(() => {
  for (const client of clients) client.close();
});

const db = () => DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: outputs().endpoint, region: outputs().region }));
const rowsOf = async (connectionId: string) =>
  (
    await db().send(
      new QueryCommand({
        TableName: outputs().ConnectionsTableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": `CONN#${connectionId}` },
      }),
    )
  ).Items ?? [];

/** What EventBridge hands the broadcaster, for an alert only this test's clients follow. */
const alertEvent = (title: string) => ({
  id: randomUUID(),
  "detail-type": "SystemAlert",
  source: "tge-swarm.monitoring",
  time: new Date().toISOString(),
  detail: { severity: "info", source: "e2e", title, message: title, resource: {}, raisedAt: new Date().toISOString() },
});

describe("fan-out to many connections", () => {
  it("delivers to the 70 live connections of 100, deletes the 30 dropped ones, and the next broadcast meets no 410", async () => {
    const token = await tokenFor("viewer");
    for (let batch = 0; batch < 5; batch++) {
      clients.push(...(await Promise.all(Array.from({ length: 20 }, () => WsClient.connect(outputs().WebSocketUrl, token)))));
    }
    await Promise.all(clients.map((client) => client.subscribe(["alerts"])));
    const dropped = clients.slice(0, 30);
    const droppedIds = await Promise.all(dropped.map((client) => client.connectionId()));
    const droppedRows = (await Promise.all(droppedIds.map(rowsOf))).flat();

    // Without a close frame. The emulator still runs $disconnect for these (a canary pins that);
    // API Gateway does not promise it, so the rows are put back to stand for a missed $disconnect.
    for (const client of dropped) client.terminate();
    await eventually(
      async () => (await Promise.all(droppedIds.map(rowsOf))).flat().length,
      (left) => left === 0,
      20_000,
      "$disconnect to run for the dropped connections",
    );
    for (let i = 0; i < droppedRows.length; i += 25) {
      const chunk = droppedRows.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      await db().send(new BatchWriteCommand({ RequestItems: { [outputs().ConnectionsTableName]: chunk } }));
    }

    const first = await invokeFunction<BroadcastSummary>(outputs().BroadcasterFunctionName, alertEvent("first"));
    expect(first).toMatchObject({ recipients: 100, delivered: 70, gone: 30, failed: 0 });
    for (const client of clients.slice(30)) await client.waitFor((f) => f.type === "system_alert" && f.data.title === "first");
    expect((await Promise.all(droppedIds.map(rowsOf))).flat()).toEqual([]);

    const second = await invokeFunction<BroadcastSummary>(outputs().BroadcasterFunctionName, alertEvent("second"));
    expect(second).toMatchObject({ recipients: 70, delivered: 70, gone: 0, failed: 0 });
  }, 120_000);
});
