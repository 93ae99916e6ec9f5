import { DynamoDBClient, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { BatchGetCommand, DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { DynamoDbEventLedger, MARKER_RETENTION_SECONDS } from "#realtime/adapters/dynamodb-event-ledger";
import { DynamoDbSequence } from "#realtime/adapters/dynamodb-sequence";
import type { EventToRecord } from "#realtime/domain/ports";

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" }));
const mock = mockClient(db);
const ledger = new DynamoDbEventLedger(db, "events", 3_600);

const TIMESTAMP = "2026-12-03T10:00:00.000Z";
const AT = Date.parse(TIMESTAMP) / 1000;
const entry = (i: number): EventToRecord => ({
  eventId: `e${i}`,
  stream: { topic: "tasks" },
  event: { type: "task_update", seq: 100 + i, timestamp: TIMESTAMP, data: { taskId: `t${i}` } },
});
const transactions = () => mock.commandCalls(TransactWriteCommand).map((call) => call.args[0].input.TransactItems ?? []);
const cancelled = (codes: string[]) =>
  new TransactionCanceledException({
    message: "Transaction cancelled",
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

beforeEach(() => mock.reset());

describe("DynamoDbEventLedger.record", () => {
  it("writes each event's conditional marker and its history row in one transaction", async () => {
    mock.on(TransactWriteCommand).resolves({});
    expect(await ledger.record([entry(1)])).toEqual(new Set());
    expect(transactions()).toEqual([
      [
        {
          Put: {
            TableName: "events",
            Item: { pk: "EVENT#e1", sk: 0, event: entry(1).event, expiresAt: AT + MARKER_RETENTION_SECONDS },
            ConditionExpression: "attribute_not_exists(pk)",
          },
        },
        { Put: { TableName: "events", Item: { pk: "TOPIC#tasks", sk: 101, ...entry(1).event, expiresAt: AT + 3_600 } } },
      ],
    ]);
  });

  it("splits 120 events into transactions of at most 50 (100 items)", async () => {
    mock.on(TransactWriteCommand).resolves({});
    await ledger.record(Array.from({ length: 120 }, (_, i) => entry(i)));
    expect(transactions().map((items) => items.length)).toEqual([100, 100, 40]);
  });

  it("answers the events whose marker was taken and writes the others again without them", async () => {
    // GIVEN e2's marker is there already: DynamoDB cancels the whole transaction, saying which item
    mock
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled(["None", "None", "ConditionalCheckFailed", "None", "None", "None"]))
      .resolves({});
    const taken = await ledger.record([entry(1), entry(2), entry(3)]);
    expect(taken).toEqual(new Set(["e2"]));
    const retried = transactions()[1]?.map((item) => item.Put?.Item?.pk);
    expect(retried).toEqual(["EVENT#e1", "TOPIC#tasks", "EVENT#e3", "TOPIC#tasks"]);
  });

  it("throws when the transaction was cancelled for anything but a taken marker (the batch goes back)", async () => {
    mock.on(TransactWriteCommand).rejects(cancelled(["ConditionalCheckFailed", "None", "TransactionConflict", "None"]));
    await expect(ledger.record([entry(1), entry(2)])).rejects.toBeInstanceOf(TransactionCanceledException);
  });
});

describe("DynamoDbEventLedger.find", () => {
  it("reads the markers by id, consistently, and reads unprocessed keys again", async () => {
    mock
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { events: [{ pk: "EVENT#e1", sk: 0, event: entry(1).event }] },
        UnprocessedKeys: { events: { Keys: [{ pk: "EVENT#e2", sk: 0 }] } },
      })
      .resolves({ Responses: { events: [{ pk: "EVENT#e2", sk: 0, event: entry(2).event }] } });
    const found = await ledger.find(["e1", "e2", "e3"]);
    expect(found).toEqual(
      new Map([
        ["e1", entry(1).event],
        ["e2", entry(2).event],
      ]),
    );
    const reads = mock.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems?.events);
    expect(reads[0]).toEqual({
      Keys: [
        { pk: "EVENT#e1", sk: 0 },
        { pk: "EVENT#e2", sk: 0 },
        { pk: "EVENT#e3", sk: 0 },
      ],
      ConsistentRead: true,
    });
    expect(reads[1]?.Keys).toEqual([{ pk: "EVENT#e2", sk: 0 }]);
  });
});

describe("DynamoDbSequence.reserve", () => {
  it("adds the count in one write and answers the first number of the run", async () => {
    mock.on(UpdateCommand).resolves({ Attributes: { value: 50 } });
    expect(await new DynamoDbSequence(db, "events").reserve(10)).toBe(41);
    expect(mock.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      UpdateExpression: "ADD #value :count",
      ExpressionAttributeValues: { ":count": 10 },
    });
  });
});
