import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { BucketContendedError, type BucketLimits, type BucketState, type TakeResult, take } from "../token-bucket";

/**
 * Token buckets kept in a DynamoDB table, one item per bucket, shared by every instance of every
 * function that takes from them. Read, take, then write back only if nobody wrote in between:
 * each write bumps a version `v` and is conditional on the one it read (two takes in the same
 * millisecond would write the same `at`, so `at` cannot serve). A lost race takes again from the
 * fresh state. A refusal writes nothing: the next take recomputes the refill.
 *
 * @example
 * const result = await new DynamoDbBuckets(db, "rate-limits").take({ pk: "USER#ann#read" }, limits, Date.now(), 3600);
 */
export class DynamoDbBuckets {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly maxRounds = 5,
  ) {}

  /** Takes one token from the bucket at `key`; its item expires `ttlSeconds` after its last take. */
  async take(key: Record<string, string>, limits: BucketLimits, nowMs: number, ttlSeconds: number): Promise<TakeResult> {
    for (let round = 0; round < this.maxRounds; round++) {
      const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
      const previous: BucketState | undefined = Item ? { tokens: Number(Item.tokens), at: Number(Item.at) } : undefined;
      const version = typeof Item?.v === "number" ? Item.v : undefined;
      const result = take(previous, limits, Math.max(nowMs, previous?.at ?? 0));
      if (!result.ok) return result;
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...key,
              tokens: result.state.tokens,
              at: result.state.at,
              v: (version ?? 0) + 1,
              expiresAt: Math.floor(nowMs / 1000) + ttlSeconds,
            },
            ...writeCondition(Item !== undefined, version),
          }),
        );
        return result;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    throw new BucketContendedError(JSON.stringify(key), this.maxRounds);
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
