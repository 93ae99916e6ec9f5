import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoDbBuckets } from "#shared/adapters/dynamodb-buckets";
import type { BucketLimits, TakeResult } from "#shared/token-bucket";
import type { RateLimiter } from "../domain/ports";
import { CONNECTION_TTL_SECONDS } from "./dynamodb-connection-store";

/**
 * A token bucket per connection in the connections table (`CONN#<id>` / `BUCKET`), shared by
 * every instance of the message handler (see `DynamoDbBuckets` for how a take stays consistent).
 */
export class DynamoDbRateLimiter implements RateLimiter {
  private readonly buckets: DynamoDbBuckets;
  constructor(db: DynamoDBDocumentClient, tableName: string, maxRounds = 5) {
    this.buckets = new DynamoDbBuckets(db, tableName, maxRounds);
  }

  take(connectionId: string, limits: BucketLimits, nowMs: number): Promise<TakeResult> {
    return this.buckets.take({ pk: `CONN#${connectionId}`, sk: "BUCKET" }, limits, nowMs, CONNECTION_TTL_SECONDS);
  }
}
