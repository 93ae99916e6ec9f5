import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, type GetCommandInput, PutCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { CONNECTION_TTL_SECONDS } from "#realtime/adapters/dynamodb-connection-store";
import { DynamoDbRateLimiter } from "#realtime/adapters/dynamodb-rate-limiter";
import { FakeDynamoTable } from "../../support/fake-dynamo-table";

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" }));
const mock = mockClient(db);
const limits = { capacity: 3, refillPerSecond: 1 };
const NOW = Date.parse("2026-11-23T10:00:00.000Z");
const lostRace = () => new ConditionalCheckFailedException({ message: "The conditional request failed", $metadata: {} });
const bucket = (tokens: number, at: number, v = 7) => ({ Item: { pk: "CONN#c1", sk: "BUCKET", tokens, at, v } });

beforeEach(() => mock.reset());

describe("DynamoDbRateLimiter", () => {
  it("creates a full bucket on the first take, only if no other instance created one first", async () => {
    // GIVEN
    mock.on(GetCommand).resolves({});
    mock.on(PutCommand).resolves({});
    // WHEN
    const result = await new DynamoDbRateLimiter(db, "connections").take("c1", limits, NOW);
    // THEN
    expect(result).toEqual({ ok: true, state: { tokens: 2, at: NOW } });
    expect(mock.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
      TableName: "connections",
      Item: { pk: "CONN#c1", sk: "BUCKET", tokens: 2, at: NOW, v: 1, expiresAt: NOW / 1000 + CONNECTION_TTL_SECONDS },
      ConditionExpression: "attribute_not_exists(pk)",
    });
  });

  it("takes again from the fresh state when another instance wrote in between", async () => {
    // GIVEN the first write loses the race to a take that left 1 token at NOW - 500
    mock
      .on(GetCommand)
      .resolvesOnce(bucket(3, NOW - 1_000, 4))
      .resolves(bucket(1, NOW - 500, 5));
    mock.on(PutCommand).rejectsOnce(lostRace()).resolves({});
    // WHEN
    const result = await new DynamoDbRateLimiter(db, "connections").take("c1", limits, NOW);
    // THEN it took from 1 + 0.5 refilled, conditioned on the state it read the second time
    expect(result).toEqual({ ok: true, state: { tokens: 0.5, at: NOW } });
    expect(mock.commandCalls(GetCommand)).toHaveLength(2);
    const puts = mock.commandCalls(PutCommand).map((call) => call.args[0].input);
    expect(puts.map((put) => put.ExpressionAttributeValues)).toEqual([{ ":v": 4 }, { ":v": 5 }]);
    expect(puts[1]).toMatchObject({ ConditionExpression: "#v = :v", ExpressionAttributeNames: { "#v": "v" }, Item: { v: 6 } });
  });

  it("takes from a bucket written before buckets had versions, and versions it", async () => {
    mock.on(GetCommand).resolves({ Item: { pk: "CONN#c1", sk: "BUCKET", tokens: 3, at: NOW - 1_000 } });
    mock.on(PutCommand).resolves({});
    const result = await new DynamoDbRateLimiter(db, "connections").take("c1", limits, NOW);
    expect(result.ok).toBe(true);
    expect(mock.commandCalls(PutCommand)[0]?.args[0].input).toMatchObject({
      ConditionExpression: "attribute_not_exists(#v)",
      Item: { v: 1 },
    });
  });

  it("gives up with an error after maxRounds lost races", async () => {
    mock.on(GetCommand).resolves(bucket(3, NOW - 1_000));
    mock.on(PutCommand).rejects(lostRace());
    await expect(new DynamoDbRateLimiter(db, "connections", 3).take("c1", limits, NOW)).rejects.toThrow(
      "kept changing under 3 takes",
    );
    expect(mock.commandCalls(GetCommand)).toHaveLength(3);
    expect(mock.commandCalls(PutCommand)).toHaveLength(3);
  });

  it("refuses an empty bucket with the wait until the next token, and writes nothing", async () => {
    mock.on(GetCommand).resolves(bucket(0.25, NOW));
    const result = await new DynamoDbRateLimiter(db, "connections").take("c1", limits, NOW);
    expect(result).toMatchObject({ ok: false, retryAfterMs: 750 });
    expect(mock.commandCalls(PutCommand)).toHaveLength(0);
  });

  it("does not retry an error other than a lost race", async () => {
    mock.on(GetCommand).resolves(bucket(3, NOW));
    mock.on(PutCommand).rejects(new Error("ProvisionedThroughputExceededException"));
    await expect(new DynamoDbRateLimiter(db, "connections").take("c1", limits, NOW)).rejects.toThrow(
      "ProvisionedThroughputExceededException",
    );
    expect(mock.commandCalls(GetCommand)).toHaveLength(1);
  });

  describe("with two instances taking at once", () => {
    /** Holds every read until `count` of them are waiting, so both instances read the same state. */
    function readTogether(table: FakeDynamoTable, count: number) {
      let waiting = 0;
      let release: () => void = () => undefined;
      const allRead = new Promise<void>((resolve) => (release = resolve));
      mock.on(GetCommand).callsFake(async (input: GetCommandInput) => {
        const answer = table.get(input);
        if (++waiting === count) release();
        await allRead;
        return answer;
      });
    }

    it("lets only one of them have the last token when they take a millisecond apart", async () => {
      // GIVEN one token left, taken at NOW
      const table = new FakeDynamoTable().serve(mock);
      table.put({ TableName: "connections", Item: bucket(1, NOW).Item });
      readTogether(table, 2);
      const limiter = new DynamoDbRateLimiter(db, "connections");
      const slow = { capacity: 3, refillPerSecond: 0.001 };
      // WHEN
      const results = await Promise.all([limiter.take("c1", slow, NOW + 1), limiter.take("c1", slow, NOW + 1)]);
      // THEN
      expect(results.map((result) => result.ok).sort()).toEqual([false, true]);
    });

    it("lets only one of them have the last token when they take in the same millisecond", async () => {
      // GIVEN one token left, taken at NOW, and both instances reading it at NOW: the write
      // leaves `at` unchanged, so only the version tells the second writer it lost.
      const table = new FakeDynamoTable().serve(mock);
      table.put({ TableName: "connections", Item: bucket(1, NOW).Item });
      readTogether(table, 2);
      const limiter = new DynamoDbRateLimiter(db, "connections");
      // WHEN
      const results = await Promise.all([limiter.take("c1", limits, NOW), limiter.take("c1", limits, NOW)]);
      // THEN
      expect(results.map((result) => result.ok).sort()).toEqual([false, true]);
    });
  });
});
