import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { ListQueuesCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, describe, expect, it } from "vitest";
import { WsClient } from "../../../scripts/local/ws-client";
import { eventually, outputs, tokenFor } from "../support/api";
import { invokeFunction } from "../support/fleet";

// One bus event, one seq (ADR 0024), however it is delivered twice: two broadcasters at once,
// or twice on the broadcast queue. Each check has a control: another event takes a new seq.

const db = () => DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: outputs().endpoint, region: outputs().region }));
const sqs = () => new SQSClient({ endpoint: outputs().endpoint, region: outputs().region });

/** What EventBridge hands the broadcaster: an alert with a title only this test uses. */
const alertEvent = (title: string, id = randomUUID()) => ({
  version: "0",
  id,
  "detail-type": "SystemAlert",
  source: "tge-swarm.monitoring",
  account: "000000000000",
  time: new Date().toISOString(),
  region: outputs().region,
  resources: [],
  detail: { severity: "info", source: "e2e", title, message: title, resource: {}, raisedAt: new Date().toISOString() },
});

/** The history rows of the alerts topic with this title. */
async function historyOf(title: string): Promise<{ seq: number }[]> {
  const rows: { seq: number; data?: { title?: string } }[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await db().send(
      new QueryCommand({
        TableName: outputs().EventsTableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": "TOPIC#alerts" },
        ScanIndexForward: false,
        ExclusiveStartKey,
      }),
    );
    rows.push(...((page.Items ?? []) as typeof rows));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return rows.filter((row) => row.data?.title === title);
}

const clients: WsClient[] = [];
afterAll(() => {
  for (const client of clients) client.close();
});

describe("one seq per bus event", () => {
  it("gives one event invoked on two broadcasters at once one seq and one history row; another event a new one", async () => {
    const title = `twice-${randomUUID()}`;
    const event = alertEvent(title);
    const answers = await Promise.all([
      invokeFunction<{ seq: number }>(outputs().BroadcasterFunctionName, event),
      invokeFunction<{ seq: number }>(outputs().BroadcasterFunctionName, event),
    ]);
    expect(answers[0]?.seq).toBeGreaterThan(0);
    expect(answers[1]?.seq).toBe(answers[0]?.seq);
    expect((await historyOf(title)).map((row) => row.seq)).toEqual([answers[0]?.seq]);

    // Control: the same content under a new bus event id is a new event.
    const other = await invokeFunction<{ seq: number }>(outputs().BroadcasterFunctionName, alertEvent(title));
    expect(other.seq).toBeGreaterThan(answers[0]?.seq ?? Number.POSITIVE_INFINITY);
    expect(await historyOf(title)).toHaveLength(2);
  }, 60_000);

  it("delivers an event sent twice on the broadcast queue under one seq, beside a control event under its own", async () => {
    const { QueueUrls = [] } = await sqs().send(new ListQueuesCommand({}));
    const queueUrl = QueueUrls.find((url) => /BroadcastQueue/.test(url) && !/DeadLetter|Dlq|DLQ/i.test(url));
    if (!queueUrl) throw new Error(`no broadcast queue among ${QueueUrls.join(", ")}`);
    const client = await WsClient.connect(outputs().WebSocketUrl, await tokenFor("viewer"));
    clients.push(client);
    await client.subscribe(["alerts"]);

    const title = `queued-twice-${randomUUID()}`;
    const twice = JSON.stringify(alertEvent(title));
    const control = JSON.stringify(alertEvent(`${title}-control`));
    await sqs().send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: "first", MessageBody: twice },
          { Id: "control", MessageBody: control },
          { Id: "again", MessageBody: twice },
        ],
      }),
    );
    const ours = () => client.frames.filter((f) => f.type === "system_alert" && String(f.data.title).startsWith(title));
    await eventually(
      async () => ours(),
      (frames) => frames.some((f) => f.data.title === title) && frames.some((f) => f.data.title === `${title}-control`),
      20_000,
      "both alerts on the dashboard",
    );
    const seqsOf = (t: string) =>
      new Set(
        ours()
          .filter((f) => f.data.title === t)
          .map((f) => f.seq),
      );
    expect(seqsOf(title).size).toBe(1);
    expect(seqsOf(`${title}-control`).size).toBe(1);
    expect([...seqsOf(title)][0]).not.toBe([...seqsOf(`${title}-control`)][0]);
    expect(await historyOf(title)).toHaveLength(1);
  }, 60_000);
});
