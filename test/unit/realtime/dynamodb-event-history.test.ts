import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { DynamoDbEventHistory } from "#realtime/adapters/dynamodb-event-history";
import { TooFarBackError } from "#realtime/domain/ports";
import type { ServerEvent } from "#realtime/published/protocol";

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" }));
const mock = mockClient(db);
const history = new DynamoDbEventHistory(db, "events", 3_600);

/** Event `seq`, stamped `seq` seconds after 10:00:00. */
const anEvent = (seq: number): ServerEvent => ({
  type: "task_update",
  seq,
  timestamp: `2026-11-23T10:00:${String(seq).padStart(2, "0")}.000Z`,
  data: { taskId: `t${seq}` },
});
/** A stored row, as DynamoDB hands it back. */
const row = (seq: number) => ({ pk: "TOPIC#tasks", sk: seq, ...anEvent(seq), expiresAt: 1 });
const queries = () => mock.commandCalls(QueryCommand).map((call) => call.args[0].input);

beforeEach(() => mock.reset());

describe("DynamoDbEventHistory", () => {
  it("stores an event under its stream, keyed by seq, expiring after the retention", async () => {
    mock.on(PutCommand).resolves({});
    await history.append({ room: "lobby" }, anEvent(7));
    expect(mock.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
      TableName: "events",
      Item: {
        pk: "ROOM#lobby",
        sk: 7,
        ...anEvent(7),
        expiresAt: Date.parse("2026-11-23T10:00:07.000Z") / 1000 + 3_600,
      },
    });
  });

  describe("read since an instant", () => {
    it("walks back newest first, stops at the first older event, and returns the rest oldest first", async () => {
      // GIVEN pages of 3, newest first; 10:00:05 is older than the instant asked for
      mock
        .on(QueryCommand)
        .resolvesOnce({ Items: [row(10), row(9), row(8)], LastEvaluatedKey: { pk: "TOPIC#tasks", sk: 8 } })
        .resolvesOnce({ Items: [row(7), row(6), row(5)], LastEvaluatedKey: { pk: "TOPIC#tasks", sk: 5 } })
        .resolves({ Items: [row(4), row(3)] });
      // WHEN
      const events = await history.read({ topic: "tasks" }, { since: new Date("2026-11-23T10:00:06.000Z") }, 100);
      // THEN
      expect(events).toEqual([anEvent(6), anEvent(7), anEvent(8), anEvent(9), anEvent(10)]);
      expect(queries()).toHaveLength(2);
      expect(queries()[0]).toMatchObject({
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": "TOPIC#tasks" },
        ScanIndexForward: false,
      });
      expect(queries()[1]).toMatchObject({ ExclusiveStartKey: { pk: "TOPIC#tasks", sk: 8 } });
    });

    it("returns the oldest `limit` of the events since the instant", async () => {
      mock.on(QueryCommand).resolves({ Items: [row(9), row(8), row(7), row(6), row(5)] });
      const events = await history.read({ topic: "tasks" }, { since: new Date("2026-11-23T10:00:06.000Z") }, 2);
      expect(events).toEqual([anEvent(6), anEvent(7)]);
    });

    it("refuses, rather than skip events without a word, when the instant lies beyond the look-back cap", async () => {
      const capped = new DynamoDbEventHistory(db, "events", 3_600, 3);
      mock.on(QueryCommand).resolves({ Items: [row(10), row(9), row(8)], LastEvaluatedKey: { pk: "TOPIC#tasks", sk: 8 } });
      await expect(capped.read({ topic: "tasks" }, { since: new Date("2026-11-23T10:00:06.000Z") }, 10)).rejects.toBeInstanceOf(
        TooFarBackError,
      );
    });

    it("answers when the cap is reached exactly at the first older event", async () => {
      const capped = new DynamoDbEventHistory(db, "events", 3_600, 3);
      mock.on(QueryCommand).resolves({ Items: [row(7), row(6), row(5)], LastEvaluatedKey: { pk: "TOPIC#tasks", sk: 5 } });
      expect(await capped.read({ topic: "tasks" }, { since: new Date("2026-11-23T10:00:06.000Z") }, 10)).toEqual([
        anEvent(6),
        anEvent(7),
      ]);
    });

    it("returns nothing when the newest event is older than the instant", async () => {
      mock.on(QueryCommand).resolvesOnce({ Items: [row(3), row(2)], LastEvaluatedKey: { pk: "TOPIC#tasks", sk: 2 } });
      expect(await history.read({ topic: "tasks" }, { since: new Date("2026-11-23T10:00:06.000Z") }, 10)).toEqual([]);
      expect(queries()).toHaveLength(1);
    });
  });

  it("reads after a seq oldest first, with the seq in the key condition", async () => {
    mock.on(QueryCommand).resolves({ Items: [row(4), row(5)] });
    expect(await history.read({ room: "lobby" }, { afterSeq: 3 }, 501)).toEqual([anEvent(4), anEvent(5)]);
    expect(queries()[0]).toMatchObject({
      KeyConditionExpression: "pk = :pk AND sk > :after",
      ExpressionAttributeValues: { ":pk": "ROOM#lobby", ":after": 3 },
      ScanIndexForward: true,
      Limit: 500,
    });
  });

  it("follows pages after a seq until it has `limit` events", async () => {
    mock
      .on(QueryCommand)
      .resolvesOnce({ Items: [row(1), row(2)], LastEvaluatedKey: { pk: "TOPIC#tasks", sk: 2 } })
      .resolvesOnce({ Items: [row(3)], LastEvaluatedKey: { pk: "TOPIC#tasks", sk: 3 } })
      .resolves({ Items: [row(4)] });
    expect((await history.read({ topic: "tasks" }, { afterSeq: 0 }, 3)).map((event) => event.seq)).toEqual([1, 2, 3]);
    expect(queries().map((query) => query.Limit)).toEqual([3, 1]);
  });

  it("returns the newest events oldest first", async () => {
    mock.on(QueryCommand).resolves({ Items: [row(9), row(8)] });
    expect(await history.latest({ topic: "tasks" }, 2)).toEqual([anEvent(8), anEvent(9)]);
    expect(queries()[0]).toMatchObject({ ScanIndexForward: false, Limit: 2 });
  });
});
