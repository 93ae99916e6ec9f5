import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { type BucketLimits, type BucketState, type TakeResult, take } from "#shared/token-bucket";
import type { RateLimiter } from "../domain/ports";
import { CONNECTION_TTL_SECONDS } from "./dynamodb-connection-store";

/**
 * A token bucket per connection in the connections table (`CONN#<id>` / `BUCKET`), shared by
 * every instance of the message handler. Read, take, then write back only if nobody wrote in
 * between: each write bumps a version `v` and is conditional on the one it read (two takes in
 * the same millisecond would write the same `at`, so `at` cannot serve). A lost race takes
 * again from the fresh state.
 */
export class DynamoDbRateLimiter implements RateLimiter {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly maxRounds = 5,
  ) {}

  async take(connectionId: string, limits: BucketLimits, nowMs: number): Promise<TakeResult> {
    const Key = { pk: `CONN#${connectionId}`, sk: "BUCKET" };
    for (let round = 0; round < this.maxRounds; round++) {
      const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true }));
      const previous: BucketState | undefined = Item ? { tokens: Number(Item.tokens), at: Number(Item.at) } : undefined;
      const version = typeof Item?.v === "number" ? Item.v : undefined;
      const result = take(previous, limits, Math.max(nowMs, previous?.at ?? 0));
      // A refusal changes nothing worth storing: the next take recomputes the refill.
      if (!result.ok) return result;
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...Key,
              tokens: result.state.tokens,
              at: result.state.at,
              v: (version ?? 0) + 1,
              expiresAt: Math.floor(nowMs / 1000) + CONNECTION_TTL_SECONDS,
            },
            ...writeCondition(Item !== undefined, version),
          }),
        );
        return result;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    throw new Error(`the rate-limit bucket of ${connectionId} kept changing under ${this.maxRounds} takes`);
  }
}

/** Create only if absent; otherwise only over the version read (a row from before versions: only if still unversioned). */
function writeCondition(exists: boolean, version: number | undefined) {
  if (!exists) return { ConditionExpression: "attribute_not_exists(pk)" };
  if (version === undefined) return { ConditionExpression: "attribute_not_exists(#v)", ExpressionAttributeNames: { "#v": "v" } };
  return {
    ConditionExpression: "#v = :v",
    ExpressionAttributeNames: { "#v": "v" },
    ExpressionAttributeValues: { ":v": version },
  };
}
