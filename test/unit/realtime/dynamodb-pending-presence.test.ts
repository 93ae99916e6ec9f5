import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DeleteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { DynamoDbPendingPresence } from "#realtime/adapters/dynamodb-pending-presence";
import type { PresenceChange } from "#realtime/published/protocol";

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" }));
const mock = mockClient(db);
const NOW = new Date("2026-11-23T10:00:00.000Z");
const nowSeconds = NOW.getTime() / 1000;
const pending = new DynamoDbPendingPresence(db, "connections", () => NOW);

const change = (connectionId: string): PresenceChange => ({
  action: "joined",
  at: "2026-11-23T09:59:59.000Z",
  member: { connectionId, sub: `sub-${connectionId}`, username: `user-${connectionId}`, joinedAt: "2026-11-23T09:59:59.000Z" },
});

beforeEach(() => mock.reset());

describe("DynamoDbPendingPresence", () => {
  it("keeps the change before it marks the summary due, the mark only where none is or a stale one", async () => {
    mock.on(PutCommand).resolves({});
    expect(await pending.add("hall", change("c1"), 30)).toBe(true);
    const [keep, mark] = mock.commandCalls(PutCommand).map((call) => call.args[0].input);
    expect(keep).toMatchObject({
      Item: { pk: "PRESENCE#hall", sk: "CHANGE#2026-11-23T09:59:59.000Z#c1#joined", action: "joined" },
    });
    expect(keep?.ConditionExpression).toBeUndefined();
    expect(mark).toMatchObject({
      Item: { pk: "PRESENCE#hall", sk: "DUE", markedAt: nowSeconds },
      ConditionExpression: "attribute_not_exists(pk) OR markedAt < :stale",
      ExpressionAttributeValues: { ":stale": nowSeconds - 30 },
    });
  });

  it("answers false when the summary is already due, having kept the change", async () => {
    mock
      .on(PutCommand)
      .resolvesOnce({})
      .rejectsOnce(new ConditionalCheckFailedException({ message: "The conditional request failed", $metadata: {} }));
    expect(await pending.add("hall", change("c1"), 30)).toBe(false);
    expect(mock.commandCalls(PutCommand)).toHaveLength(2);
  });

  it("fails when the change could not be kept, without marking anything", async () => {
    mock.on(PutCommand).rejectsOnce(new Error("throttled"));
    await expect(pending.add("hall", change("c1"), 30)).rejects.toThrow("throttled");
    expect(mock.commandCalls(PutCommand)).toHaveLength(1);
  });

  it("reads waiting changes in order up to a limit across pages, and settles them by key", async () => {
    const row = (id: string) => ({ pk: "PRESENCE#hall", sk: `CHANGE#${id}`, ...change(id) });
    mock
      .on(QueryCommand)
      .resolvesOnce({ Items: [row("c1")], LastEvaluatedKey: { pk: "PRESENCE#hall", sk: "CHANGE#c1" } })
      .resolvesOnce({ Items: [row("c2")], LastEvaluatedKey: { pk: "PRESENCE#hall", sk: "CHANGE#c2" } });
    mock.on(BatchWriteCommand).resolves({});
    const waiting = await pending.waiting("hall", 2);
    expect(waiting.map(({ key, change }) => [key, change.member.connectionId])).toEqual([
      ["CHANGE#c1", "c1"],
      ["CHANGE#c2", "c2"],
    ]);
    expect(mock.commandCalls(QueryCommand).map((call) => call.args[0].input.Limit)).toEqual([2, 1]);
    await pending.settle(
      "hall",
      waiting.map(({ key }) => key),
    );
    expect(mock.commandCalls(BatchWriteCommand)[0]?.args[0].input.RequestItems?.connections).toEqual([
      { DeleteRequest: { Key: { pk: "PRESENCE#hall", sk: "CHANGE#c1" } } },
      { DeleteRequest: { Key: { pk: "PRESENCE#hall", sk: "CHANGE#c2" } } },
    ]);
  });

  it("clears the due mark", async () => {
    mock.on(DeleteCommand).resolves({});
    await pending.clearDue("hall");
    expect(mock.commandCalls(DeleteCommand)[0]?.args[0].input.Key).toEqual({ pk: "PRESENCE#hall", sk: "DUE" });
  });
});
